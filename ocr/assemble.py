"""Reads → canonical fields with confidences: normalise, apply the form's priors, validate,
cross-check with the registry. Returns ``(fields, confidence, errors)``."""

from __future__ import annotations

import re
from typing import Any

from ocr import priors
from ocr.confidence import combine
from ocr.normalize import normalize_field
from ocr.readers.base import FieldRead
from ocr.template import Template

MEMBER_SUBKEYS = ("name", "relation", "birth_date", "opt_out")


def _norm(key: str, raw: Any) -> Any:
    try:
        return normalize_field(key, raw)
    except Exception:  # noqa: BLE001 - normalisers never raise by contract; be safe anyway
        return raw


def assemble_fields(reads: dict[str, FieldRead], template: Template, *, qr_text: str | None,
                    registry: str | None = None) -> tuple[dict[str, Any], dict[str, float], list[str]]:
    fields: dict[str, Any] = {}
    conf: dict[str, float] = {}
    errors: list[str] = []

    def take(key: str) -> tuple[Any, float]:
        read = reads.get(key)
        if read is None:
            return None, 0.0
        return _norm(key, priors.fix_printed(key, read.raw)), read.confidence

    # Section 1, printed by the city
    qr = reads.get("application_id")
    qr_value = qr.raw if qr and qr.raw else qr_text
    printed_ids = [(reads[k].raw, reads[k].confidence) for k in ("application_id_printed", "application_id_top")
                   if k in reads]
    fields["application_id"], conf["application_id"] = priors.vote_application_id(qr_value, printed_ids)
    for key in ("household_head_kana", "household_head_name", "household_head_birth_date", "postal_code", "address"):
        fields[key], conf[key] = take(key)

    members, member_conf = _members(reads)
    if members:
        head_row = members[0]
        (fields["household_head_name"], conf["household_head_name"]), (head_row["name"], member_conf["members.1.name"]) = \
            priors.agree_twice((fields["household_head_name"], conf["household_head_name"]),
                               (head_row["name"], member_conf["members.1.name"]))
        (fields["household_head_birth_date"], conf["household_head_birth_date"]), \
            (head_row["birth_date"], member_conf["members.1.birth_date"]) = priors.agree_twice(
                (fields["household_head_birth_date"], conf["household_head_birth_date"]),
                (head_row["birth_date"], member_conf["members.1.birth_date"]))
    priors.member_surnames(members, member_conf)
    fields["members"] = members
    conf.update(member_conf)
    fields["postal_code"], conf["postal_code"] = priors.postal_code((fields["postal_code"], conf["postal_code"]),
                                                                     fields["address"])
    fields["address"], conf["address"] = priors.address((fields["address"], conf["address"]), fields["postal_code"])

    # Section 2, written by the resident
    for key in ("application_date", "phone", "bank_kind", "branch_kind", "account_type",
                "account_number", "yucho_symbol", "yucho_number", "seal_present"):
        fields[key], conf[key] = take(key)
    raw_bank = _norm("bank_name", reads["bank_name"].raw) if "bank_name" in reads else None
    raw_branch = _norm("branch_name", reads["branch_name"].raw) if "branch_name" in reads else None
    fields["bank_name"], conf["bank_name"], bank = priors.bank_name(
        (raw_bank, reads["bank_name"].confidence if "bank_name" in reads else 0.0), fields.get("bank_kind"),
        raw_branch)
    if fields.get("branch_kind") == "本店" and not _has_text(reads.get("branch_name")):
        fields["branch_name"], conf["branch_name"] = None, reads["branch_name"].confidence if "branch_name" in reads else 0.9
    else:
        fields["branch_name"], conf["branch_name"] = priors.branch_name(
            (raw_branch, reads["branch_name"].confidence if "branch_name" in reads else 0.0), bank)
    holder = take("account_holder_kana")
    fields["household_head_kana"], conf["household_head_kana"] = priors.kana_word_gap(
        (fields["household_head_kana"], conf["household_head_kana"]), holder)
    fields["account_holder_kana"], conf["account_holder_kana"] = priors.holder_kana(
        holder, (fields["household_head_kana"], conf["household_head_kana"]))
    names = [(m["name"], member_conf.get(f"members.{i}.name", 0.0)) for i, m in enumerate(members, start=1)]
    fields["applicant_signature"], conf["applicant_signature"] = priors.signature(
        take("applicant_signature"), names)
    priors.account_block(fields, conf)
    _clear_unused_block(fields)

    # validators: a field they object to cannot be sure
    problems = _validate(fields)
    for key in list(conf):
        conf[key] = combine(conf[key], problems=problems.get(key))
    for key, messages in problems.items():
        if key not in conf:
            top = key.split(".", 1)[0]
            if top in conf:
                conf[top] = combine(conf[top], problems=messages)
        errors.extend(f"{key}: {m}" for m in messages)

    if registry and fields.get("application_id"):
        errors.extend(_cross_check(fields, conf, registry))
    return fields, conf, errors


def _has_text(read: FieldRead | None) -> bool:
    return bool(read and read.raw and str(read.raw).strip())


def _members(reads: dict[str, FieldRead]) -> tuple[list[dict[str, Any]], dict[str, float]]:
    rows: list[dict[str, Any]] = []
    conf: dict[str, float] = {}
    index = 1
    while f"members.{index}.name" in reads:
        cells = {sub: reads.get(f"members.{index}.{sub}") for sub in MEMBER_SUBKEYS}
        filled = _row_filled(cells)
        if filled:
            n = len(rows) + 1
            row = {}
            for sub in MEMBER_SUBKEYS:
                read = cells[sub]
                raw = priors.fix_printed(sub, read.raw) if read else None
                row[sub] = _norm(f"members.{n}.{sub}", raw)
                conf[f"members.{n}.{sub}"] = read.confidence if read else 0.0
            if row["opt_out"] is None:
                row["opt_out"] = False
            rows.append(row)
        index += 1
    return rows, conf


def _row_filled(cells: dict[str, FieldRead | None]) -> bool:
    """A table row is filled when its 続柄 cell holds a printed word, or its name and a readable
    era date are both there (scanner specks and streaks in empty rows must not make a row)."""
    relation = cells.get("relation")
    # the readers leave specks and streaks empty, or (glyph reader) flag them as no usable match
    if relation and relation.raw and (relation.detail or {}).get("usable", True):
        return True
    birth = cells.get("birth_date")
    date_ok = bool(birth and birth.raw and re.search(r"(\d+|元)\s*年\s*\d+\s*月", str(birth.raw)))
    return _has_text(cells.get("name")) and date_ok


def _clear_unused_block(fields: dict[str, Any]) -> None:
    bank, yucho = priors.blocks_written(fields)
    if yucho and not bank:
        for key in priors.BANK_KEYS:
            fields[key] = None


def _validate(fields: dict[str, Any]) -> dict[str, list[str]]:
    try:
        from ocr.validate import validate_fields
    except ImportError:
        return {}
    try:
        return validate_fields(fields)
    except Exception:  # noqa: BLE001 - a validator bug must not lose the page
        return {}


def _cross_check(fields: dict[str, Any], conf: dict[str, float], url: str) -> list[str]:
    from ocr.registry import load_registry

    try:
        problems = load_registry(url).check(fields)
    except Exception as exc:  # noqa: BLE001 - the registry is optional; say why it failed
        return [f"住民記録との照合ができません: {exc}"]
    out = []
    for problem in problems:
        key = getattr(problem, "key", None) or "application_id"
        if key in conf:
            conf[key] = min(conf[key], 0.3)
        elif re.match(r"members\.\d+\.", key) and key in conf:
            conf[key] = min(conf[key], 0.3)
        out.append(f"住民記録と不一致 {key}: {problem}")
    return out
