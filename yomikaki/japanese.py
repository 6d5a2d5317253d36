"""Japanese text utilities shared by the OCR pipeline, the review import and the robots.

Everything here is pure (no I/O) and cheap; robots use the functions as Jinja filters.

- ``normalize_text``: NFKC (keeping the full-width space) plus a context table for the
  hyphen / minus / long-vowel family (``‐ - – — ― − ｰ ー …``): ``ー`` after kana, ``-`` between
  digits or letters.
- 和暦: ``wareki_to_iso`` / ``parse_date`` (令和8年7月1日, 令和元年, R8.7.1, H31.4.30, kanji
  numerals, western dates) with era ranges checked; ``iso_to_wareki``.
- Width and script: ``to_zenkaku``, ``to_hankaku``, ``to_katakana``, ``to_hiragana``,
  ``is_fullwidth_katakana`` (jaconv does the tables).
- Digits and phones: ``digits_only``, ``zero_pad``, ``normalize_phone`` (phonenumbers knows the
  Japanese area codes).
- ``JINJA_FILTERS``: the same functions by filter name (wareki, iso_date, zenkaku, hankaku,
  katakana, hiragana, digits, zero_pad, phone, normalize) for scenario templates.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

import jaconv

__all__ = [
    "ERAS",
    "JINJA_FILTERS",
    "Era",
    "digits_only",
    "era_of",
    "is_fullwidth_katakana",
    "iso_to_wareki",
    "normalize_phone",
    "normalize_text",
    "parse_date",
    "to_hankaku",
    "to_hiragana",
    "to_katakana",
    "to_zenkaku",
    "wareki_to_iso",
    "zero_pad",
]

FULLWIDTH_SPACE = "\u3000"

# --------------------------------------------------------------------------------------
# Hyphens, minus signs and the long-vowel mark
# --------------------------------------------------------------------------------------
#: Characters that scanners, OCR engines and typists use interchangeably for "-" and "ー".
DASH_CHARS = frozenset(
    "-"  # U+002D hyphen-minus
    "\u2010\u2011\u2012\u2013\u2014\u2015"  # ‐ ‑ ‒ – — ―
    "\u2043\u2212\u2500\u2501"  # ⁃ − ─ ━
    "\u30fc\uff70\uff0d\ufe63\ufe58"  # ー ｰ － ﹣ ﹘
)


KANJI_ONE_IN_KATAKANA = re.compile("(?<=[ァ-ヺ])一(?=[ァ-ヺー])")


def _is_kana(ch: str) -> bool:
    return "\u3041" <= ch <= "\u30ff" and ch not in "\u30fb\u30a0"  # hiragana + katakana, not ・ ゠


def _is_alnum_ascii(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _dash_for(prev: str, nxt: str, original: str) -> str:
    """Choose "ー" or "-" for a dash-like character from its neighbours."""
    if prev and _is_kana(prev):
        if original in ("\u30fc", "\uff70") or not (nxt and _is_alnum_ascii(nxt)):
            return "ー"  # 西インター1丁目 keeps its ー; コーポ−101 gets a hyphen
        return "-"
    if (prev and _is_alnum_ascii(prev)) or (nxt and _is_alnum_ascii(nxt)):
        return "-"
    if original in ("\u30fc", "\uff70"):
        return "ー"
    return "-"


def normalize_text(text: object, *, fullwidth_space: bool = True) -> str:
    """NFKC, then the hyphen/minus/長音 table by context; whitespace runs folded, ends stripped;
    invisible format and control characters (zero-width space, BOM) removed.

    The full-width space U+3000 (which separates family and given names and the parts of an
    address) is kept when ``fullwidth_space`` is true (NFKC alone would turn it into " ").
    ``None`` gives "".
    """
    if text is None:
        return ""
    text = str(text)
    if any(unicodedata.category(ch) in ("Cf", "Cc") for ch in text):  # ZWSP, BOM, stray controls
        text = "".join(ch for ch in text if ch in "\t\n\r" or unicodedata.category(ch) not in ("Cf", "Cc"))
    if fullwidth_space:
        parts = text.split(FULLWIDTH_SPACE)
        text = FULLWIDTH_SPACE.join(unicodedata.normalize("NFKC", p) for p in parts)
    else:
        text = unicodedata.normalize("NFKC", text)
    # the kanji 一 between katakana is a 長音 read (or typed) as its look-alike: コ一ポ → コーポ
    if "一" in text:
        text = KANJI_ONE_IN_KATAKANA.sub("ー", text)
    # dashes by context
    if any(ch in DASH_CHARS for ch in text):
        chars = list(text)
        out: list[str] = []
        for i, ch in enumerate(chars):
            if ch not in DASH_CHARS:
                out.append(ch)
                continue
            prev = out[-1] if out else ""
            nxt = chars[i + 1] if i + 1 < len(chars) else ""
            if nxt in DASH_CHARS:
                nxt = ""  # a run: each dash is decided by what precedes it
            out.append(_dash_for(prev, nxt, ch))
        text = "".join(out)
    # whitespace: a run containing a full-width space becomes one full-width space
    def _fold(match: re.Match[str]) -> str:
        run = match.group(0)
        return FULLWIDTH_SPACE if (fullwidth_space and FULLWIDTH_SPACE in run) else " "

    text = re.sub(r"[\s\u3000]+", _fold, text)
    return text.strip(" \t\r\n\u3000")


# --------------------------------------------------------------------------------------
# Width and script
# --------------------------------------------------------------------------------------
def to_zenkaku(text: object) -> str:
    """Half-width → full-width for kana, ASCII letters, digits, symbols and the space."""
    return jaconv.h2z("" if text is None else str(text), kana=True, ascii=True, digit=True)


def to_hankaku(text: object, *, kana: bool = True) -> str:
    """Full-width → half-width (digits, ASCII letters, symbols, space; kana too unless kana=False)."""
    return jaconv.z2h("" if text is None else str(text), kana=kana, ascii=True, digit=True)


def to_katakana(text: object) -> str:
    """Hiragana and half-width katakana → full-width katakana, and a half-width space between
    family and given name → the full-width space kana name fields use; other characters unchanged."""
    text = "" if text is None else str(text)
    text = jaconv.h2z(text, kana=True, ascii=False, digit=False)  # ｶﾞ → ガ (joins the dakuten)
    return jaconv.hira2kata(text).replace(" ", "\u3000")


def to_hiragana(text: object) -> str:
    """Katakana (full- or half-width) → hiragana; other characters unchanged."""
    text = "" if text is None else str(text)
    return jaconv.kata2hira(jaconv.h2z(text, kana=True, ascii=False, digit=False))


_KATAKANA_RE = re.compile(r"[\u30a1-\u30fa\u30fc\u30fd\u30fe]+")


def is_fullwidth_katakana(text: object, *, allow_space: bool = True) -> bool:
    """True when ``text`` is non-empty full-width katakana (ァ–ヺ, ー, ヽヾ), spaces allowed between."""
    if not text:
        return False
    text = str(text)
    if allow_space:
        words = [w for w in re.split(r"[ \u3000]", text)]
        return all(w and _KATAKANA_RE.fullmatch(w) for w in words)
    return bool(_KATAKANA_RE.fullmatch(text))


# --------------------------------------------------------------------------------------
# Digits and phone numbers
# --------------------------------------------------------------------------------------
def digits_only(text: object) -> str:
    """Only the digits 0-9 of ``text`` (full-width digits folded). ``None`` → ""."""
    if text is None:
        return ""
    return "".join(ch for ch in unicodedata.normalize("NFKC", str(text)) if "0" <= ch <= "9")


def zero_pad(text: object, n: int) -> str:
    """Digits of ``text`` left-padded with zeros to ``n``; "" stays "", longer strings unchanged."""
    digits = digits_only(text)
    return digits.zfill(n) if digits else ""


_PHONE_SEPARATORS = re.compile(r"[-\s()（）]+")


def normalize_phone(text: object) -> str:
    """A Japanese phone number as digits with hyphens, e.g. ``049-283-1331``, ``090-1234-5678``.

    Full-width digits and every dash variant are accepted. When the writer grouped the digits
    into three groups (hyphens, spaces or brackets: ``049(283)1331``), that grouping is kept, as
    written; a bare digit string, or one with a separator missed (``049-2831331``), is grouped by
    its area code (phonenumbers' Japanese metadata). Text without
    digits gives "". An implausible number is returned as its digits grouped as written; use
    ``phone_problem`` in ``ocr.validate`` to judge plausibility.
    """
    text = normalize_text(text, fullwidth_space=False)
    text = re.sub(r"(?<=\d)[一ー](?=\d)", "-", text)  # the kanji 一 read for a dash
    text = re.sub(r"^(?:tel|TEL|Tel|電話|☎)[:.：]?\s*", "", text)
    text = text.replace("+81", "0").replace("ー", "-")
    groups = [g for g in _PHONE_SEPARATORS.split(text) if g]
    groups = [digits_only(g) for g in groups]
    groups = [g for g in groups if g]
    if not groups:
        return ""
    digits = "".join(groups)
    if len(groups) == 3 or (len(groups) > 1 and len(digits) not in (10, 11)):
        return "-".join(groups)  # the writer's grouping (area-local-subscriber), as written
    try:
        import phonenumbers

        number = phonenumbers.parse(digits, "JP")
        if phonenumbers.is_valid_number(number):
            formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
            if digits_only(formatted) == digits:
                return formatted
    except Exception:  # noqa: BLE001 - formatting is a convenience; fall back to grouping below
        pass
    if len(digits) == 11 and digits[:3] in {"070", "080", "090", "050"}:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if len(digits) == 10 and digits.startswith(("0120", "0570", "0800")):
        return f"{digits[:4]}-{digits[4:7]}-{digits[7:]}"
    return digits


# --------------------------------------------------------------------------------------
# 和暦 (Japanese eras)
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Era:
    name: str  # 令和
    letter: str  # R
    start: date
    end: date | None  # inclusive; None for the current era

    @property
    def offset(self) -> int:
        """Western year = era year + offset."""
        return self.start.year - 1


ERAS: tuple[Era, ...] = (
    Era("明治", "M", date(1868, 1, 25), date(1912, 7, 29)),
    Era("大正", "T", date(1912, 7, 30), date(1926, 12, 24)),
    Era("昭和", "S", date(1926, 12, 25), date(1989, 1, 7)),
    Era("平成", "H", date(1989, 1, 8), date(2019, 4, 30)),
    Era("令和", "R", date(2019, 5, 1), None),
)
_ERA_BY_KEY = {e.name: e for e in ERAS} | {e.letter: e for e in ERAS} | {e.name[0]: e for e in ERAS}
# 明 大 昭 平 令 abbreviations are covered by name[0]; also the one-character era ligatures
_ERA_BY_KEY.update({"㍾": ERAS[0], "㍽": ERAS[1], "㍼": ERAS[2], "㍻": ERAS[3], "㋿": ERAS[4]})

_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
                 "八": 8, "九": 9}


def _kanji_number(text: str) -> int:
    """二十八 → 28, 三十一 → 31, 十 → 10, 一二 → 12, 元 → 1."""
    if text == "元":
        return 1
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        value = (_KANJI_DIGITS[tens] if tens else 1) * 10
        return value + (_KANJI_DIGITS[ones] if ones else 0)
    value = 0
    for ch in text:
        value = value * 10 + _KANJI_DIGITS[ch]
    return value


_NUM = r"(元|[0-9]{1,4}|[〇零一二三四五六七八九十]{1,3})"
_ERA_KEYS = "|".join(sorted((re.escape(k) for k in _ERA_BY_KEY), key=len, reverse=True))
_WAREKI_KANJI = re.compile(rf"^({_ERA_KEYS})\s*{_NUM}\s*年\s*{_NUM}\s*月\s*{_NUM}\s*日?$", re.I)
_WAREKI_SHORT = re.compile(rf"^({_ERA_KEYS})\s*\.?\s*{_NUM}\s*[./\-]\s*{_NUM}\s*[./\-]\s*{_NUM}\.?$", re.I)
_WESTERN = re.compile(r"^([0-9]{4})\s*[年./\-]\s*([0-9]{1,2})\s*[月./\-]\s*([0-9]{1,2})\s*日?$")
_WESTERN_COMPACT = re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})$")


#: OCR look-alikes in printed dates (era names and 年月日), fixed before parsing
_DATE_LOOKALIKES = (
    ("合和", "令和"), ("今和", "令和"), ("令利", "令和"), ("昭利", "昭和"), ("照和", "昭和"),
    ("平戌", "平成"), ("平城", "平成"), ("大止", "大正"), ("明冶", "明治"), ("曰", "日"), ("牟", "年"),
)


_DIGIT_LOOKALIKES = str.maketrans({"l": "1", "I": "1", "|": "1", "O": "0", "o": "0"})


def era_of(day: date) -> Era:
    """The era ``day`` belongs to (ValueError before 明治)."""
    for era in reversed(ERAS):
        if day >= era.start:
            return era
    raise ValueError(f"{day.isoformat()} は明治より前の日付です")


def _era_date(era: Era, year: int, month: int, day: int, original: str) -> date:
    if year < 1:
        raise ValueError(f"「{original}」: {era.name}の年が正しくありません")
    try:
        result = date(era.offset + year, month, day)
    except ValueError:
        raise ValueError(f"「{original}」は存在しない日付です") from None
    if result < era.start or (era.end is not None and result > era.end):
        last = f"（{era.name}は{_kanji_date(era.end)}まで）" if era.end else ""
        first = f"（{era.name}は{_kanji_date(era.start)}から）" if result < era.start else last
        raise ValueError(f"「{original}」は{era.name}の期間外です{first}")
    return result


def _kanji_date(day: date) -> str:
    era = era_of(day)
    year = day.year - era.offset
    return f"{era.name}{'元' if year == 1 else year}年{day.month}月{day.day}日"


def parse_date(text: object) -> date:
    """A 和暦 or western date → ``datetime.date``; ValueError with a Japanese message otherwise.

    Accepts 令和8年7月1日, 令和元年5月1日, 令和 ８年 ７月 １日, 令和八年七月一日, R8.7.1, r08/07/01,
    H31.4.30, 昭和64年1月7日, 2026-07-01, 2026/7/1, 2026年7月1日, 20260701, ``date`` objects.
    Era ranges are checked: 平成31年5月1日 and 昭和64年1月8日 are errors.
    """
    if isinstance(text, datetime):  # a spreadsheet cell typed as a date
        return text.date()
    if isinstance(text, date):
        return text
    original = "" if text is None else str(text).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]00:00(:00)?", original):
        original = original[:10]  # str() of a spreadsheet datetime
    if not original:
        raise ValueError("日付が空です")
    norm = normalize_text(original, fullwidth_space=False).replace("ー", "-")
    norm = re.sub(r"\s+", " ", norm)
    norm = re.sub(r"^[(\[]\s*(.*?)\s*[)\]]$", r"\1", norm)  # (令和8年7月1日)
    norm = re.sub(r"\s*(生まれ|生)$", "", norm)  # 昭和52年11月8日生
    for wrong, right in _DATE_LOOKALIKES:
        norm = norm.replace(wrong, right)
    if norm:  # letters read for digits (1l月, 2O日); the first character may be an era letter
        norm = norm[0] + norm[1:].translate(_DIGIT_LOOKALIKES)
    for pattern in (_WAREKI_KANJI, _WAREKI_SHORT):
        match = pattern.match(norm)
        if match:
            key = match.group(1)
            era = _ERA_BY_KEY.get(key) or _ERA_BY_KEY.get(key.upper())
            try:
                year, month, day = (_kanji_number(match.group(i)) for i in (2, 3, 4))
            except KeyError:
                break
            return _era_date(era, year, month, day, original)
    for pattern in (_WESTERN, _WESTERN_COMPACT):
        match = pattern.match(norm)
        if match:
            try:
                return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                raise ValueError(f"「{original}」は存在しない日付です") from None
    raise ValueError(f"「{original}」は日付として読めません（例: 令和8年7月1日、R8.7.1、2026-07-01）")


def wareki_to_iso(text: object) -> str:
    """A 和暦 (or western) date → ISO ``yyyy-mm-dd``; ValueError with a Japanese message."""
    return parse_date(text).isoformat()


def iso_to_wareki(iso: object, style: str = "kanji") -> str:
    """ISO date (or ``date``) → 和暦: ``kanji`` 令和8年7月1日 (元年 for year 1), ``short`` R8.7.1."""
    day = parse_date(iso)
    era = era_of(day)
    year = day.year - era.offset
    if style == "kanji":
        return f"{era.name}{'元' if year == 1 else year}年{day.month}月{day.day}日"
    if style == "short":
        return f"{era.letter}{year}.{day.month}.{day.day}"
    raise ValueError(f"unknown style {style!r} (kanji or short)")


#: Jinja filters for scenarios: ``{{ item.申請日 | wareki }}``, ``{{ item.口座番号 | zero_pad(7) }}``
JINJA_FILTERS = {
    "wareki": iso_to_wareki,
    "iso_date": wareki_to_iso,
    "zenkaku": to_zenkaku,
    "hankaku": to_hankaku,
    "katakana": to_katakana,
    "hiragana": to_hiragana,
    "digits": digits_only,
    "zero_pad": zero_pad,
    "phone": normalize_phone,
    "normalize": normalize_text,
}
