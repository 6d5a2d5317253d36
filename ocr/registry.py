"""Optional registry link: look a form's household up by its application id and cross-check.

Sources (``Registry.from_url``):

- the sample core system's ``GET /__inspect/households`` (JSON list, fetched once with urllib);
- a JSON file with the same list;
- a CSV export, one row per member, UTF-8 (with or without BOM) or CP932, with the columns
  ``application_id, postal_code, address, name, kana, relation, birth_date`` or their Japanese
  headers ``申請書番号, 郵便番号, 住所, 氏名, カナ氏名, 続柄, 生年月日`` (members in row order;
  ``Registry.to_csv`` writes this format).

``cross_check(fields, household)`` compares the printed section of a form (head's name, kana
and birth date, postal code, address, members) with the registry and returns one ``Problem``
(a ``str`` with ``.key``/``.level``) per differing key, e.g. ``members.2.birth_date``.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ocr.normalize import normalize_field, normalize_kana, normalize_name
from ocr.validate import ERROR, Problem
from yomikaki.errors import InputError
from yomikaki.japanese import digits_only, iso_to_wareki, normalize_text

__all__ = ["Registry", "cross_check", "load_registry", "registry_fields"]

FORM_MEMBER_ROWS = 4
CSV_COLUMNS = ("application_id", "postal_code", "address", "name", "kana", "relation", "birth_date")
CSV_HEADERS_JA = ("申請書番号", "郵便番号", "住所", "氏名", "カナ氏名", "続柄", "生年月日")
_HEADER_ALIASES = dict(zip(CSV_HEADERS_JA, CSV_COLUMNS, strict=True)) | {c: c for c in CSV_COLUMNS} | {
    # other spellings met in registry exports
    "申請番号": "application_id", "〒": "postal_code", "郵便": "postal_code", "住所地": "address",
    "世帯員氏名": "name", "フリガナ": "kana", "カナ": "kana", "氏名カナ": "kana", "氏名（カナ）": "kana",
    "世帯主との続柄": "relation", "生年月日（西暦）": "birth_date", "生年月日（和暦）": "birth_date",
}


class Registry:
    """Households by application id (``lookup``), loaded once from a URL, JSON or CSV."""

    def __init__(self, households: Iterable[Mapping[str, Any]], source: str = ""):
        self.source = source
        self._by_id: dict[str, dict[str, Any]] = {}
        for household in households:
            app_id = digits_only(household.get("application_id"))
            if app_id:
                self._by_id[app_id] = _clean_household(household)

    def __len__(self) -> int:
        return len(self._by_id)

    def application_ids(self) -> list[str]:
        return list(self._by_id)

    def __contains__(self, application_id: object) -> bool:
        return digits_only(application_id) in self._by_id

    # -- loading ---------------------------------------------------------------------------
    @classmethod
    def from_url(cls, url: str | Path, *, timeout: float = 15.0) -> Registry:
        """From ``http(s)://…/__inspect/households`` (JSON) or a CSV URL, or a local .json/.csv."""
        text_url = str(url)
        if text_url.startswith(("http://", "https://")):
            try:
                with urllib.request.urlopen(text_url, timeout=timeout) as response:  # noqa: S310
                    body = response.read()
                    content_type = response.headers.get("Content-Type", "")
            except (urllib.error.URLError, OSError) as exc:
                raise InputError(f"住民記録を取得できません: {text_url} ({exc})",
                                 hint="--registry のURLとサンプルシステムの起動（--inspect）を確認してください") from exc
            if "csv" in content_type or text_url.lower().split("?")[0].endswith(".csv"):
                return cls.from_csv_text(_decode(body, text_url), source=text_url)
            return cls.from_json_text(_decode(body, text_url), source=text_url)
        path = Path(text_url.removeprefix("file://"))
        if not path.is_file():
            raise InputError(f"住民記録のファイルがありません: {path}")
        data = path.read_bytes()
        if path.suffix.lower() == ".csv":
            return cls.from_csv_text(_decode(data, str(path)), source=str(path))
        return cls.from_json_text(_decode(data, str(path)), source=str(path))

    @classmethod
    def from_json_text(cls, text: str, source: str = "") -> Registry:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"住民記録のJSONが読めません: {source}: {exc.lineno}行目 {exc.msg}") from exc
        if isinstance(data, Mapping):
            data = data.get("households", data.get("results"))
        if not isinstance(data, list):
            raise InputError(f"住民記録のJSONは世帯のリストではありません: {source}")
        return cls(data, source=source)

    @classmethod
    def from_csv_text(cls, text: str, source: str = "") -> Registry:
        reader = csv.reader(io.StringIO(text))
        try:
            header = next(reader)
        except StopIteration:
            raise InputError(f"住民記録のCSVが空です: {source}") from None
        columns = [_HEADER_ALIASES.get(h.strip().lstrip("\ufeff")) for h in header]
        missing = [c for c in CSV_COLUMNS if c not in columns]
        if missing:
            names = "、".join(CSV_HEADERS_JA[CSV_COLUMNS.index(c)] for c in missing)
            raise InputError(f"住民記録のCSVに列がありません: {names}", hint=f"{source} の1行目を確認してください")
        households: dict[str, dict[str, Any]] = {}
        for line_no, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            record = {c: row[i].strip() if i < len(row) else "" for i, c in enumerate(columns) if c}
            app_id = digits_only(record["application_id"])
            if len(app_id) != 10:
                raise InputError(f"申請書番号は10桁の数字です: {source}:{line_no}")
            household = households.setdefault(app_id, {
                "application_id": app_id, "postal_code": record["postal_code"],
                "address": record["address"], "members": []})
            household["members"].append({k: record[k] for k in ("name", "kana", "relation", "birth_date")})
        return cls(households.values(), source=source)

    def to_csv(self, path: Path) -> Path:
        """Write the households in the CSV format ``from_url`` reads (Japanese headers)."""
        from yomikaki.exports import write_csv

        rows = []
        for household in self._by_id.values():
            for member in household["members"]:
                rows.append([household["application_id"], household["postal_code"], household["address"],
                             member["name"], member["kana"], member["relation"], member["birth_date"]])
        return write_csv(Path(path), CSV_HEADERS_JA, rows)

    # -- queries ---------------------------------------------------------------------------
    def lookup(self, application_id: object) -> dict[str, Any] | None:
        """The household (a copy) for a 10-digit application id, or None."""
        household = self._by_id.get(digits_only(application_id))
        return json.loads(json.dumps(household, ensure_ascii=False)) if household else None

    def check(self, fields: Mapping[str, Any]) -> list[Problem]:
        """Look the form's household up and cross-check; an unknown id is one problem."""
        app_id = fields.get("application_id")
        household = self.lookup(app_id) if app_id else None
        if household is None:
            return [Problem("application_id", f"申請書番号{app_id or ''}は住民記録にありません", ERROR)]
        return cross_check(fields, household)


def _decode(data: bytes, source: str) -> str:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(f"住民記録の文字コードが読めません（UTF-8 か Shift_JIS）: {source}")


def _clean_household(household: Mapping[str, Any]) -> dict[str, Any]:
    members = []
    for member in household.get("members") or []:
        members.append({
            "name": normalize_name(member.get("name")),
            "kana": normalize_kana(member.get("kana")),
            "relation": normalize_text(member.get("relation")) or None,
            "birth_date": normalize_field("household_head_birth_date", member.get("birth_date")),
        })
    return {
        "application_id": digits_only(household.get("application_id")),
        "postal_code": normalize_field("postal_code", household.get("postal_code")),
        "address": normalize_field("address", household.get("address")),
        "members": members,
        **({"household_no": household["household_no"]} if household.get("household_no") else {}),
    }


def registry_fields(household: Mapping[str, Any]) -> dict[str, Any]:
    """The printed section of the form as the registry has it (canonical keys).

    Useful to prefer registry names over OCR for kanji the OCR model lacks (髙, 﨑 …).
    """
    members = household.get("members") or []
    head = next((m for m in members if m.get("relation") == "本人"), members[0] if members else {})
    return {
        "application_id": household.get("application_id"),
        "household_head_name": head.get("name"),
        "household_head_kana": head.get("kana"),
        "household_head_birth_date": head.get("birth_date"),
        "postal_code": household.get("postal_code"),
        "address": household.get("address"),
        "members": [{"name": m.get("name"), "relation": m.get("relation"), "birth_date": m.get("birth_date"),
                     "opt_out": False} for m in members],
    }


def _same(a: Any, b: Any) -> bool:
    fold = lambda v: normalize_text(v, fullwidth_space=False).replace(" ", "")  # noqa: E731
    return fold(a) == fold(b)


def _date_text(value: Any) -> str:
    try:
        return iso_to_wareki(value)
    except (ValueError, TypeError):
        return str(value)


def cross_check(fields: Mapping[str, Any], household: Mapping[str, Any]) -> list[Problem]:
    """Problems (one per differing key) between a form's printed section and the registry."""
    expected = registry_fields(_clean_household(household))
    problems: list[Problem] = []

    def differ(key: str, message: str) -> None:
        problems.append(Problem(key, message, ERROR))

    checks = (
        ("household_head_name", "世帯主氏名", str),
        ("household_head_kana", "フリガナ", str),
        ("household_head_birth_date", "世帯主の生年月日", _date_text),
        ("postal_code", "郵便番号", lambda v: f"〒{v[:3]}-{v[3:]}" if v else ""),
        ("address", "住所", str),
    )
    for key, label, show in checks:
        if not _same(fields.get(key), expected.get(key)):
            differ(key, f"{label}が住民記録と違います（住民記録: {show(expected.get(key) or '')}）")
    form_members = [m for m in fields.get("members") or [] if isinstance(m, Mapping)]
    registry_members = expected["members"]
    shown = min(len(registry_members), FORM_MEMBER_ROWS)  # the form has 4 rows
    if len(form_members) != shown:
        differ("members", f"世帯員の人数が住民記録と違います（住民記録: {len(registry_members)}人）")
    for index, (mine, theirs) in enumerate(zip(form_members, registry_members, strict=False), start=1):
        for sub, label, show in (("name", "氏名", str), ("relation", "続柄", str), ("birth_date", "生年月日", _date_text)):
            if not _same(mine.get(sub), theirs.get(sub)):
                differ(f"members.{index}.{sub}",
                       f"世帯員{index}の{label}が住民記録と違います（住民記録: {show(theirs.get(sub) or '')}）")
    return problems


_LOADED: dict[str, Registry] = {}


def load_registry(url: str | Path) -> Registry:
    """``Registry.from_url`` once per process and URL (worker processes each load it once)."""
    key = str(url)
    if key not in _LOADED:
        _LOADED[key] = Registry.from_url(url)
    return _LOADED[key]
