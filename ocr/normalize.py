"""Normalise raw field values (OCR output, reviewer edits) into the form README's value formats.

``normalize_field(key, raw)`` knows every canonical key of ``benefit-application`` (and the
flattened member keys ``members.N.name`` … used by the review workbook). It never raises: a value
it cannot understand comes back cleaned (NFKC, spaces folded) so that ``ocr.validate`` reports
it with a specific message. Empty values ("", whitespace, None) become ``None`` (``[]`` for
``members``, ``False`` for the booleans).

Boxed digit fields may be given as a string or as a list of per-box values (``None``/"" for an
empty box): ``account_number`` from boxes is right-aligned, so leading empty boxes are zeros.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from ocr.reference.banks import clean_bank_name, clean_branch_name
from yomikaki.japanese import (
    digits_only,
    normalize_phone,
    normalize_text,
    parse_date,
    to_katakana,
    wareki_to_iso,
)

__all__ = [
    "BOOLEAN_KEYS",
    "NORMALIZER_NAMES",
    "get_normalizer",
    "DATE_KEYS",
    "MEMBER_KEYS",
    "normalize_field",
    "normalize_fields",
    "normalize_kana",
    "normalize_name",
    "parse_member_key",
]

SPACE = "\u3000"
DATE_KEYS = frozenset({"household_head_birth_date", "application_date"})
BOOLEAN_KEYS = frozenset({"seal_present"})
MEMBER_KEYS = ("name", "relation", "birth_date", "opt_out")
_MEMBER_KEY_RE = re.compile(r"^members(?:\.(\d+)\.|\[(\d+)\]\.?)(name|relation|birth_date|opt_out|kana)$")

_KIND_ALIASES = {
    "銀行": "銀行", "信用金庫": "信用金庫", "信金": "信用金庫", "信用組合": "信用組合", "信組": "信用組合",
    "農協": "農協", "JA": "農協", "農業協同組合": "農協", "労働金庫": "労働金庫", "労金": "労働金庫",
    "ろうきん": "労働金庫",
}
_BRANCH_KIND_ALIASES = {"本店": "本店", "本所": "本店", "支店": "支店", "支所": "支店", "出張所": "出張所"}
_ACCOUNT_TYPE_ALIASES = {"普通": "普通", "普通預金": "普通", "総合": "普通", "当座": "当座", "当座預金": "当座"}
_RELATION_ALIASES = {
    "世帯主": "本人", "本人": "本人",
    # OCR look-alikes of the printed relations
    "本入": "本人", "木人": "本人", "本八": "本人", "夲人": "本人", "孑": "子", "了": "子", "毋": "母",
    "夭": "夫", "系": "孫", "孫.": "孫",
}
_TRUE = {"true", "1", "yes", "y", "on", "はい", "有", "あり", "○", "〇", "◯", "✓", "✔", "レ", "x", "×", "✗", "✕", "☑", "■"}
_FALSE = {"false", "0", "no", "n", "off", "いいえ", "無", "なし", "", "□", "☐", "-"}


def parse_member_key(key: str) -> tuple[int, str] | None:
    """``members.2.name`` / ``members[1].name`` → (2, "name") (1-based), else None."""
    match = _MEMBER_KEY_RE.match(key)
    if not match:
        return None
    if match.group(1) is not None:
        return int(match.group(1)), match.group(3)
    return int(match.group(2)) + 1, match.group(3)  # members[0] is the first member


def field_value(fields: Mapping, key: str) -> Any:
    """The value of a field path in canonical fields: a top-level key, or a member's
    (``members.2.name``, 1-based); None for a member row that is not there."""
    member = parse_member_key(key)
    if member is None:
        return fields.get(key)
    index, sub = member
    members = fields.get("members") or []
    row = members[index - 1] if 1 <= index <= len(members) else None
    return row.get(sub) if isinstance(row, Mapping) else None


def _is_empty(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not normalize_text(raw)
    if isinstance(raw, (list, tuple)) and not raw:
        return True
    return False


def _text(raw: Any) -> str:
    return normalize_text(raw)


def _boxes(raw: Any) -> tuple[str, int]:
    """(digits, number of leading empty boxes) for a string or a list of box values."""
    if isinstance(raw, (list, tuple)):
        cells = [digits_only(c) if c is not None else "" for c in raw]
        leading = 0
        for cell in cells:
            if cell:
                break
            leading += 1
        return "".join(cells), leading
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw), 0
    text = normalize_text(raw, fullwidth_space=False)
    digits = digits_only(text)
    if re.fullmatch(r"[0-9 \-]*", text):
        return digits, 0
    return text.replace(" ", ""), 0  # letters or symbols: keep them for the validator to report


def normalize_name(raw: Any) -> str | None:
    """A person's name: NFKC, family and given name separated by exactly one full-width space.

    When the text has a full-width space, it is the separator and stray half-width spaces (OCR
    gaps between characters: 「斎 藤　真 理」) are dropped; otherwise any space separates.
    """
    if _is_empty(raw):
        return None
    return _join_words(normalize_text(raw))


def _join_words(text: str) -> str:
    if SPACE in text:
        words = [w.replace(" ", "") for w in text.split(SPACE)]
    else:
        words = text.split(" ")
    return SPACE.join(w for w in words if w)


#: kanji and symbols that OCR returns for look-alike katakana, applied in kana fields only
KANA_LOOKALIKES = str.maketrans({
    "一": "ー", "－": "ー", "口": "ロ", "工": "エ", "力": "カ", "夕": "タ", "卜": "ト", "二": "ニ",
    "八": "ハ", "才": "オ", "千": "チ", "へ": "ヘ", "ぺ": "ペ", "べ": "ベ", "ｰ": "ー",
})


def normalize_kana(raw: Any) -> str | None:
    """Kana: full-width katakana (hiragana and half-width accepted), one full-width space.

    A list of box values (the 20 boxes of 口座名義) is joined; an empty box between family and
    given name becomes the space.
    """
    if isinstance(raw, (list, tuple)):
        raw = "".join(str(c).strip() if c is not None and str(c).strip() else " " for c in raw)
    if _is_empty(raw):
        return None
    text = to_katakana(normalize_text(raw)).translate(KANA_LOOKALIKES)
    text = re.sub(r"(?<=[\u30a1-\u30fa\u30fc])-", "ー", text)  # a hyphen after kana is a long vowel
    return _join_words(text)


def _date(raw: Any) -> str | None:
    if _is_empty(raw):
        return None
    try:
        return wareki_to_iso(raw)
    except (ValueError, TypeError):
        return _text(raw)


def _date_part(value: Any) -> str:
    """Digits of one boxed part: "08", "8", ["", "8"], [None, "8"]."""
    if isinstance(value, (list, tuple)):
        return "".join(digits_only(c) for c in value if c is not None)
    return digits_only(value)


def _application_date(raw: Any) -> str | None:
    """Boxed 令和 year/month/day: a dict {"year","month","day"}, a list of three parts, "080701",
    "8/7/1", "令和8年7月1日", or an ISO date."""
    if isinstance(raw, Mapping):
        parts = [_date_part(raw.get(k)) for k in ("year", "month", "day")]
    elif isinstance(raw, (list, tuple)) and len(raw) == 3:
        parts = [_date_part(p) for p in raw]
    elif isinstance(raw, date):  # a spreadsheet cell typed as a date
        return parse_date(raw).isoformat()
    else:
        if _is_empty(raw):
            return None
        text = normalize_text(raw, fullwidth_space=False)
        try:
            return parse_date(text).isoformat()
        except ValueError:
            pass
        compact = text.replace(" ", "")
        match = re.fullmatch(r"(?:令和|R)?(\d{1,2})[年./\-](\d{1,2})[月./\-](\d{1,2})日?", compact, re.I)
        if match:
            parts = list(match.groups())
        elif re.fullmatch(r"\d{6}", compact):
            parts = [compact[:2], compact[2:4], compact[4:]]
        else:
            return text
    if not any(parts):
        return None
    year, month, day = parts
    if not (year and month and day):
        year, month, day = (str(int(p)) if p else "?" for p in (year, month, day))
        return f"令和{year}年{month}月{day}日"
    try:
        return wareki_to_iso(f"令和{int(year)}年{int(month)}月{int(day)}日")
    except ValueError:
        return f"令和{int(year)}年{int(month)}月{int(day)}日"


def _bool(raw: Any) -> bool | str:
    if isinstance(raw, bool):
        return raw
    if raw is None:
        return False
    if isinstance(raw, (int, float)):
        return bool(raw)
    text = normalize_text(raw, fullwidth_space=False).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return normalize_text(raw)  # the validator reports it


def _choice(raw: Any, aliases: Mapping[str, str]) -> str | None:
    """One option of a tick group; a list of ticked options gives its only element, or the
    options joined with 「・」 when several are ticked (the validator reports that)."""
    if isinstance(raw, (list, tuple, set)):
        ticked = [c for c in (_choice(item, aliases) for item in raw) if c]
        ticked = list(dict.fromkeys(ticked))
        return MULTIPLE_SEPARATOR.join(ticked) if ticked else None
    if _is_empty(raw):
        return None
    text = normalize_text(raw, fullwidth_space=False).replace(" ", "").lstrip("□☐☑✓✔■")
    return aliases.get(text, aliases.get(text.upper(), text))


MULTIPLE_SEPARATOR = "・"


def _member(raw: Any) -> dict[str, Any]:
    raw = raw if isinstance(raw, Mapping) else {}
    member = {
        "name": normalize_name(raw.get("name")),
        "relation": _choice(raw.get("relation"), _RELATION_ALIASES),
        "birth_date": _date(raw.get("birth_date")),
        "opt_out": _bool(raw.get("opt_out")),
    }
    if "kana" in raw:
        member["kana"] = normalize_kana(raw.get("kana"))
    return member


def _members(raw: Any) -> list[dict[str, Any]]:
    if _is_empty(raw):
        return []
    if isinstance(raw, Mapping):  # {"1": {...}, "2": {...}}
        raw = [raw[k] for k in sorted(raw, key=lambda k: int(digits_only(k) or 0))]
    if not isinstance(raw, Iterable) or isinstance(raw, (str, bytes)):
        return []
    members = []
    for item in raw:
        member = _member(item)
        if member["name"] or member["relation"] or member["birth_date"]:
            members.append(member)
    return members


def _account_number(raw: Any) -> str | None:
    if _is_empty(raw):
        return None
    digits, leading = _boxes(raw)
    if not digits:
        return None
    if isinstance(raw, (list, tuple)) and leading and digits.isdigit() and len(raw) == 7:
        return digits.zfill(7)  # right-aligned in its 7 boxes
    return digits


def _digits_field(raw: Any) -> str | None:
    if _is_empty(raw):
        return None
    digits, _leading = _boxes(raw)
    return digits or None


def _postal_code(raw: Any) -> str | None:
    if _is_empty(raw):
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw).zfill(7)  # a spreadsheet number lost the leading zeros
    text = normalize_text(raw, fullwidth_space=False).replace("〒", "").replace(" ", "")
    text = re.sub(r"(?<=\d)[一ー](?=\d)", "-", text)  # the kanji 一 read for the hyphen
    digits = digits_only(text)
    if re.fullmatch(r"\d{3}-?\d{4}", text):
        return digits
    return digits if re.fullmatch(r"[\d\-]+", text) else text


def _application_id(raw: Any) -> str | None:
    if _is_empty(raw):
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw).zfill(10)  # a spreadsheet turned it into a number
    if isinstance(raw, str):
        compact = re.sub(r"[\s\-]", "", normalize_text(raw, fullwidth_space=False))
        runs = re.findall(r"\d+", compact)
        if len(runs) > 1 or (runs and runs[0] != compact):
            ten = [r for r in runs if len(r) == 10]
            if len(ten) == 1:
                return ten[0]  # 「申請書番号 4678462120」: the label read with the number
    digits, _leading = _boxes(raw)
    return digits or None


def _bank_name(raw: Any) -> str | None:
    if _is_empty(raw):
        return None
    return clean_bank_name(raw) or None


def _branch_name(raw: Any) -> str | None:
    if _is_empty(raw):
        return None
    return clean_branch_name(raw) or None


# the house number (atomic: never a shorter reading of it) directly followed by a building name
_HOUSE_NUMBER = re.compile(r"((?>\d+(?:番地\d*(?:-\d+)*|番\d+号|丁目\d+番\d+号?|号)))(?=[^\d\s\u3000\-番号丁室地])")
# a room number directly after a building name (not after 第: 「第2」 ends a name)
_ROOM = re.compile(r"(?<=[^\d\s\u3000\-第])(\d+号室)")


def _address(raw: Any) -> str | None:
    """As printed: the place and house number, then building and room after full-width spaces.

    A space read by OCR becomes the full-width space the form prints; a missing one is put
    back after the house number (``60番地レジデンス`` → ``60番地　レジデンス``) and before the
    room (``コーポ中富町405号室`` → ``コーポ中富町　405号室``).
    """
    if _is_empty(raw):
        return None
    text = normalize_text(raw)
    text = re.sub(r"^〒?\s*\d{3}-?\d{4}\s*", "", text)  # a postal code read with the address
    text = text.replace(" ", SPACE)
    text = _HOUSE_NUMBER.sub(lambda m: m.group(1) + SPACE, text, count=1)
    text = _ROOM.sub(lambda m: SPACE + m.group(1), text)
    text = re.sub(r"第(\d)(\d{3})号室", "第\\1" + SPACE + "\\2号室", text)  # 「第2」 + room 308, space lost
    text = re.sub("\u3000+", SPACE, text)
    return text or None


def _free_text(raw: Any) -> str | None:
    return None if _is_empty(raw) else normalize_text(raw)


_NORMALIZERS = {
    "application_id": _application_id,
    "household_head_name": normalize_name,
    "household_head_kana": normalize_kana,
    "household_head_birth_date": _date,
    "postal_code": _postal_code,
    "address": _address,
    "members": _members,
    "application_date": _application_date,
    "phone": lambda raw: None if _is_empty(raw) else (normalize_phone(raw) or normalize_text(raw)),
    "bank_kind": lambda raw: _choice(raw, _KIND_ALIASES),
    "bank_name": _bank_name,
    "branch_kind": lambda raw: _choice(raw, _BRANCH_KIND_ALIASES),
    "branch_name": _branch_name,
    "account_type": lambda raw: _choice(raw, _ACCOUNT_TYPE_ALIASES),
    "account_number": _account_number,
    "yucho_symbol": _digits_field,
    "yucho_number": _digits_field,
    "account_holder_kana": normalize_kana,
    "applicant_signature": normalize_name,
    "seal_present": _bool,
}
_MEMBER_NORMALIZERS = {
    "name": normalize_name,
    "kana": normalize_kana,
    "relation": lambda raw: _choice(raw, _RELATION_ALIASES),
    "birth_date": _date,
    "opt_out": _bool,
}


_GENERIC_NORMALIZERS = {
    "text": _free_text,
    "digits": _digits_field,
    "date": _date,
    "name": normalize_name,
    "kana": normalize_kana,
    "boolean": _bool,
    "relation": _MEMBER_NORMALIZERS["relation"],
    "birth_date": _date,
    "opt_out": _bool,
}
#: every name a template's ``normalizer:`` may use: the canonical keys plus generic ones
NORMALIZER_NAMES = tuple(sorted(set(_NORMALIZERS) | set(_GENERIC_NORMALIZERS)))


def get_normalizer(name: str):
    """The normaliser called ``name`` (a canonical key or text/digits/date/name/kana/boolean/relation).

    ConfigError with a "did you mean" for an unknown name.
    """
    func = _NORMALIZERS.get(name) or _GENERIC_NORMALIZERS.get(name)
    if func is None:
        import difflib

        from yomikaki.errors import ConfigError

        close = difflib.get_close_matches(name, NORMALIZER_NAMES, n=1)
        hint = f"（もしかして「{close[0]}」？）" if close else ""
        raise ConfigError(f"正規化ルール「{name}」はありません{hint}",
                          hint="使える名前: " + ", ".join(NORMALIZER_NAMES))
    return func


def normalize_field(key: str, raw: Any) -> Any:
    """The canonical value of field ``key`` for a raw reading; unknown keys get ``normalize_text``.

    Spreadsheet cells are accepted as they come: a float like 508821.0 is the integer 508821
    (never "5088210"), a ``datetime`` is a date.
    """
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    member_key = parse_member_key(key)
    if member_key is not None:
        return _MEMBER_NORMALIZERS[member_key[1]](raw)
    normalizer = _NORMALIZERS.get(key)
    if normalizer is None:
        return raw if isinstance(raw, (bool, int, float, list, dict)) or raw is None else _free_text(raw)
    return normalizer(raw)


def normalize_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Every field normalised; flattened member keys (``members.1.name``) folded into ``members``.

    Keys starting with "_" (e.g. ``_meta``) and non-field keys (form, page) pass through.
    """
    out: dict[str, Any] = {}
    flat_members: dict[int, dict[str, Any]] = {}
    for key, raw in fields.items():
        member_key = parse_member_key(key)
        if member_key is not None:
            flat_members.setdefault(member_key[0], {})[member_key[1]] = raw
        elif key.startswith("_") or key in ("form", "page", "source", "status", "expected"):
            out[key] = raw
        else:
            out[key] = normalize_field(key, raw)
    if flat_members:
        out["members"] = _members([flat_members[i] for i in sorted(flat_members)])
    return out
