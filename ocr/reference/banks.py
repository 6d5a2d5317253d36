"""Bank and branch master from zengin-code (offline), with fuzzy matching for OCR output.

zengin-code names carry a short kind suffix except for banks: 「埼玉縣信金」 (信用金庫),
「埼玉信組」 (信用組合), 「中央労金」 (労働金庫), 「いるま野農協」 (農協; also 「…県信連」), while the
form's ``bank_name`` is written WITHOUT the kind (ticked separately): 「埼玉縣」, 「中央」. The index
keeps, per bank, its form-style base name, its kind, and comparison keys for the name and the
kana. ``match_bank(name, kind)`` compares against the base names of that kind (or all kinds)
with rapidfuzz; ``match_branch(bank_code, name)`` against that bank's branches only (suffixes
支店 / 出張所 / 支所 ignored on both sides). Scores are 0..1 (1 = exact after normalisation),
usable as a lexicon distance in a field confidence.

The master is loaded lazily once per process (about 0.3 s).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jaconv

from yomikaki.japanese import normalize_text, to_katakana

__all__ = [
    "BANK_KINDS",
    "BankMatch",
    "BranchMatch",
    "YUCHO_CODE",
    "account_codes",
    "bank_by_code",
    "bank_kind_of",
    "branch_by_code",
    "branch_candidates",
    "candidates",
    "clean_bank_name",
    "clean_branch_name",
    "head_office",
    "match_bank",
    "match_branch",
]

BANK_KINDS = ("銀行", "信用金庫", "信用組合", "農協", "労働金庫")
YUCHO_CODE = "9900"

#: zengin short suffix → the kind ticked on the form
_SUFFIX_KIND = (
    ("労金連", "労働金庫"),
    ("労金", "労働金庫"),
    ("信金", "信用金庫"),
    ("信組", "信用組合"),
    ("農協", "農協"),
    ("信連", "農協"),
    ("信漁連", "漁協"),
    ("漁連", "漁協"),
    ("漁協", "漁協"),
)
#: what residents write after the base name → the kind it implies (stripped before matching)
_WRITTEN_SUFFIX_KIND = {
    "銀行": "銀行", "ぎんこう": "銀行", "ギンコウ": "銀行", "BANK": "銀行",
    "信用金庫": "信用金庫", "信金": "信用金庫", "しんきん": "信用金庫", "シンキン": "信用金庫",
    "信用組合": "信用組合", "信組": "信用組合", "しんくみ": "信用組合", "シンクミ": "信用組合",
    "農業協同組合": "農協", "農協": "農協", "のうきょう": "農協", "ノウキョウ": "農協", "ノウキヨウ": "農協",
    "労働金庫": "労働金庫", "労金": "労働金庫", "ろうきん": "労働金庫", "ロウキン": "労働金庫",
}
_WRITTEN_SUFFIXES = tuple(sorted(_WRITTEN_SUFFIX_KIND, key=len, reverse=True))
_WRITTEN_PREFIXES = ("JAバンク", "JA", "ＪＡ", "株式会社", "(株)")
_BRANCH_SUFFIXES = ("支店", "出張所", "支所", "営業所", "営業部", "店")
_EXPANDED_SUFFIXES = (("信金", "信用金庫"), ("信組", "信用組合"), ("労金", "労働金庫"))


@dataclass(frozen=True)
class BankMatch:
    code: str  # 4-digit zengin code
    name: str  # form-style name without the kind suffix, e.g. 埼玉縣
    kana: str  # zengin kana of the whole name, e.g. サイタマケンシンキン
    kind: str  # 銀行 / 信用金庫 / 信用組合 / 農協 / 労働金庫 (/ 漁協 / ゆうちょ)
    score: float  # 0..1
    zengin_name: str = ""  # zengin's own name, e.g. 埼玉縣信金
    margin: float = 1.0  # score minus the runner-up's score (small = ambiguous)

    @property
    def full_name(self) -> str:
        """The usual display name: 埼玉縣信用金庫, みずほ銀行, 中央労働金庫, いるま野農協, ゆうちょ銀行
        (as the sample core system's bank dialog shows it)."""
        if self.code == YUCHO_CODE:
            return "ゆうちょ銀行"
        name = normalize_text(self.zengin_name or self.name)
        for short, full in _EXPANDED_SUFFIXES:
            if name.endswith(short):
                return name[: -len(short)] + full
        if self.kind == "銀行" and not name.endswith("銀行"):
            return name + "銀行"
        return name


@dataclass(frozen=True)
class BranchMatch:
    code: str  # 3-digit branch code
    name: str  # zengin branch name, e.g. 坂戸, 土呂出張所
    kana: str
    score: float
    margin: float = 1.0

    @property
    def base_name(self) -> str:
        """The name as written on the form (支店/出張所 suffix removed)."""
        return _strip_suffix(self.name, _BRANCH_SUFFIXES[:2]) or self.name


@dataclass(frozen=True)
class _Entry:
    code: str
    base: str
    kind: str
    kana: str
    zengin_name: str
    key: str
    kana_key: str


# --------------------------------------------------------------------------------------
# comparison keys
# --------------------------------------------------------------------------------------
def _strip_suffix(text: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def _name_key(text: str) -> str:
    """NFKC, upper-case, no spaces/dots, hiragana → katakana, small kana enlarged, 縣 → 県."""
    text = normalize_text(text, fullwidth_space=False).upper()
    text = re.sub(r"[\s・.,、。]", "", text)
    text = to_katakana(text)
    text = jaconv.enlarge_smallkana(text)
    return text.replace("縣", "県").replace("ヶ", "ケ").replace("ー", "").replace("-", "")


def _kana_key(text: str) -> str:
    """zengin kana (large kana, － for ー) and written kana to one form."""
    text = unicodedata.normalize("NFKC", text or "")
    text = to_katakana(text)
    text = jaconv.enlarge_smallkana(text)
    return re.sub(r"[\s\-ー・.()]", "", text)


def _is_kana_text(text: str) -> bool:
    return bool(text) and all("\u3041" <= ch <= "\u30ff" or ch in " \u3000" for ch in text)


def bank_kind_of(code: str, zengin_name: str) -> str:
    """The form's kind for a zengin bank (by name suffix, then by code range)."""
    if code == YUCHO_CODE:
        return "銀行"  # ゆうちょ銀行, written in the bank block with its 店名 (〇一八) by some residents
    if code == "1000":
        return "信用金庫"  # 信金中央金庫
    for suffix, kind in _SUFFIX_KIND:
        if zengin_name.endswith(suffix):
            return kind
    if code == "3000":
        return "農協"  # 農林中金
    if code < "1000":
        return "銀行"
    if code < "2000":
        return "信用金庫"
    if code < "2950":
        return "信用組合"
    if code < "3000":
        return "労働金庫"
    if code < "9450":
        return "農協"
    return "漁協"


def _base_name(zengin_name: str, kind: str) -> str:
    for suffix, suffix_kind in _SUFFIX_KIND:
        if suffix_kind == kind and zengin_name.endswith(suffix) and len(zengin_name) > len(suffix):
            return zengin_name[: -len(suffix)]
    return zengin_name


def clean_bank_name(name: object) -> str:
    """A written bank name in the form's style: NFKC, no spaces, no JA prefix, no kind suffix
    (「埼玉りそな銀行」 → 「埼玉りそな」, 「JAいるま野」 → 「いるま野」, 「中央ろうきん」 → 「中央」)."""
    return _clean_written(str(name or ""))


def _clean_written(name: str) -> str:
    return _split_written(name)[0]


def _split_written(name: str) -> tuple[str, str | None]:
    """(base name, kind implied by a written suffix or a JA prefix, else None)."""
    text = normalize_text(name, fullwidth_space=False).replace(" ", "")
    implied = None
    for prefix in _WRITTEN_PREFIXES:
        if text.upper().startswith(prefix.upper()) and len(text) > len(prefix):
            text = text[len(prefix) :]
            implied = "農協" if prefix.upper().startswith(("JA", "ＪＡ")) else None
            break
    for suffix in _WRITTEN_SUFFIXES:
        if text.upper().endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)], _WRITTEN_SUFFIX_KIND[suffix]
    return text, implied


# --------------------------------------------------------------------------------------
# the index
# --------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _master():
    import zengin_code

    return zengin_code.Bank.all


@lru_cache(maxsize=1)
def _index() -> tuple[_Entry, ...]:
    entries = []
    for code, bank in _master().items():
        kind = bank_kind_of(code, bank.name)
        base = _base_name(bank.name, kind)
        entries.append(
            _Entry(code, base, kind, bank.kana, bank.name, _name_key(base), _kana_key(_base_kana(bank.kana, kind)))
        )
    return tuple(entries)


_KANA_SUFFIXES = {
    "信用金庫": ("シンキン",),
    "信用組合": ("シンクミ",),
    "労働金庫": ("ロウキンレン", "ロウキン"),
    "農協": ("ノウキヨウ", "シンレン"),
    "漁協": ("ギヨキヨウ", "ギヨレン", "シンギヨレン"),
}


def _base_kana(kana: str, kind: str) -> str:
    kana = unicodedata.normalize("NFKC", kana)
    return _strip_suffix(kana, _KANA_SUFFIXES.get(kind, ()))


@lru_cache(maxsize=64)
def _entries_of_kind(kind: str | None) -> tuple[_Entry, ...]:
    if kind is None:
        return _index()
    return tuple(e for e in _index() if e.kind == kind)


def _similarity(a: str, b: str) -> float:
    from rapidfuzz.distance import Levenshtein

    if not a or not b:
        return 0.0
    return Levenshtein.normalized_similarity(a, b)


def _ranked(name: str, kind: str | None, prefer: frozenset[str] = frozenset()) -> list[tuple[float, _Entry]]:
    cleaned, implied = _split_written(name)
    if not cleaned:
        return []
    kind = kind or implied
    key = _name_key(cleaned)
    by_kana = _is_kana_text(cleaned)
    kana = _kana_key(cleaned) if by_kana else ""
    entries = _entries_of_kind(kind)
    scores = _scores(key, kana if by_kana else "", _keys_of_kind(kind))
    scored = list(zip(scores, entries, strict=True))
    # ties: preferred (local) institutions first, then the lowest code
    scored.sort(key=lambda item: (-item[0], item[1].code not in prefer, item[1].code))
    return scored


@lru_cache(maxsize=64)
def _keys_of_kind(kind: str | None) -> tuple[list[str], list[str]]:
    entries = _entries_of_kind(kind)
    return [e.key for e in entries], [e.kana_key for e in entries]


def _scores(key: str, kana: str, keys: tuple[list[str], list[str]]) -> list[float]:
    """Normalised Levenshtein similarity of ``key`` (and ``kana`` when given) to every entry."""
    from rapidfuzz.distance import Levenshtein
    from rapidfuzz.process import cdist

    names, kanas = keys
    if not names:
        return []
    scores = cdist([key], names, scorer=Levenshtein.normalized_similarity)[0]
    if kana:
        kana_scores = cdist([kana], kanas, scorer=Levenshtein.normalized_similarity)[0]
        scores = scores.clip(min=kana_scores)
    return [float(v) for v in scores]


def _to_match(score: float, entry: _Entry, margin: float) -> BankMatch:
    return BankMatch(entry.code, normalize_text(entry.base), entry.kana, entry.kind, round(score, 4),
                     entry.zengin_name, round(margin, 4))


def match_bank(name: object, kind: str | None = None, *, cutoff: float = 0.5,
               prefer: Iterable[str] = ()) -> BankMatch | None:
    """The best zengin bank for a written (OCR) name, restricted to ``kind`` when given; None if
    nothing scores at least ``cutoff``. ``kind`` is one of BANK_KINDS (or "漁協").

    ``prefer``: zengin codes (e.g. the city's local institutions) that win ties of equal score;
    the score itself is unchanged, and the margin of a tie stays 0.
    """
    if not name:
        return None
    return _match_bank(str(name), kind, cutoff, frozenset(str(c).zfill(4) for c in prefer))


@lru_cache(maxsize=4096)
def _match_bank(name: str, kind: str | None, cutoff: float, prefer: frozenset[str]) -> BankMatch | None:
    ranked = _ranked(name, kind, prefer)
    if not ranked or ranked[0][0] < cutoff:
        return None
    best_score, best = ranked[0]
    runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
    return _to_match(best_score, best, best_score - runner_up)


def candidates(name: object, kind: str | None = None, limit: int = 5,
               prefer: Iterable[str] = ()) -> list[BankMatch]:
    """The ``limit`` best banks for ``name`` (best first), for "did you mean" lists."""
    if not name:
        return []
    ranked = _ranked(str(name), kind, frozenset(str(c).zfill(4) for c in prefer))[:limit]
    return [_to_match(score, entry, 0.0) for score, entry in ranked if score > 0]


def bank_by_code(code: object) -> BankMatch | None:
    """The bank for a 4-digit zengin code (score 1.0), or None."""
    code = str(code or "").zfill(4)
    for entry in _index():
        if entry.code == code:
            return _to_match(1.0, entry, 1.0)
    return None


# --------------------------------------------------------------------------------------
# branches
# --------------------------------------------------------------------------------------
@lru_cache(maxsize=512)
def _branch_index(bank_code: str) -> tuple[tuple[str, str, str, str, str], ...]:
    bank = _master().get(bank_code)
    if bank is None:
        return ()
    out = []
    for code, branch in bank.branches.items():
        key = _name_key(_strip_suffix(normalize_text(branch.name), _BRANCH_SUFFIXES[:3]))
        kana_key = _kana_key(_strip_suffix(unicodedata.normalize("NFKC", branch.kana), ("シテン", "シユツチヨウシヨ")))
        out.append((code, branch.name, branch.kana, key, kana_key))
    return tuple(out)


def match_branch(bank_code: object, name: object, *, cutoff: float = 0.5) -> BranchMatch | None:
    """The best branch of bank ``bank_code`` for a written branch name (suffix 支店/出張所 optional)."""
    if not name:
        return None
    return _match_branch(str(bank_code or "").zfill(4), str(name), cutoff)


@lru_cache(maxsize=8192)
def _match_branch(bank_code: str, name: str, cutoff: float) -> BranchMatch | None:
    branches = _branch_index(bank_code)
    cleaned = normalize_text(name, fullwidth_space=False).replace(" ", "")
    cleaned = _strip_suffix(cleaned, _BRANCH_SUFFIXES[:3])
    if not branches or not cleaned:
        return None
    if re.fullmatch(r"\d{3}", cleaned):  # the 店番 written instead of the name
        found = next((b for b in branches if b[0] == cleaned), None)
        return BranchMatch(found[0], found[1], found[2], 1.0, 1.0) if found else None
    key = _name_key(cleaned)
    by_kana = _is_kana_text(cleaned)
    kana = _kana_key(cleaned) if by_kana else ""
    scores = _scores(key, kana if by_kana else "", ([b[3] for b in branches], [b[4] for b in branches]))
    scored = sorted(zip(scores, branches, strict=True), key=lambda item: (-item[0], item[1][0]))
    best_score, best = scored[0]
    if best_score < cutoff:
        return None
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    return BranchMatch(best[0], best[1], best[2], round(best_score, 4), round(best_score - runner_up, 4))


def clean_branch_name(name: object) -> str:
    """A written branch name in the form's style: NFKC, no spaces, no 支店/出張所/支所 suffix."""
    text = normalize_text(name, fullwidth_space=False).replace(" ", "")
    return _strip_suffix(text, _BRANCH_SUFFIXES[:3])


def branch_candidates(bank_code: object, name: object, limit: int = 5) -> list[BranchMatch]:
    """The ``limit`` best branches of a bank for ``name`` (best first)."""
    if not name:
        return []
    branches = _branch_index(str(bank_code or "").zfill(4))
    key = _name_key(_strip_suffix(normalize_text(name, fullwidth_space=False), _BRANCH_SUFFIXES[:3]))
    scored = sorted(((_similarity(key, b[3]), b) for b in branches), key=lambda item: (-item[0], item[1][0]))
    return [BranchMatch(b[0], b[1], b[2], round(s, 4), 0.0) for s, b in scored[:limit] if s > 0]


def branch_by_code(bank_code: object, branch_code: object) -> BranchMatch | None:
    """The branch ``branch_code`` (3 digits) of bank ``bank_code``, or None."""
    branch_code = str(branch_code or "").zfill(3)
    for code, name, kana, _key, _kana in _branch_index(str(bank_code or "").zfill(4)):
        if code == branch_code:
            return BranchMatch(code, name, kana, 1.0, 1.0)
    return None


def head_office(bank_code: object) -> BranchMatch | None:
    """The bank's head office (本店 / 本所, else 営業部, else the lowest branch code)."""
    branches = _branch_index(str(bank_code or "").zfill(4))
    if not branches:
        return None
    for wanted in ("本店", "本所", "本店営業部"):
        for code, name, kana, _key, _kana in branches:
            if name == wanted:
                return BranchMatch(code, name, kana, 1.0, 1.0)
    for code, name, kana, _key, _kana in branches:
        if name.endswith("営業部"):
            return BranchMatch(code, name, kana, 1.0, 1.0)
    code, name, kana, _key, _kana = branches[0]
    return BranchMatch(code, name, kana, 1.0, 1.0)


def account_codes(fields: Mapping[str, Any]) -> dict[str, str] | None:
    """Zengin codes for a form's bank block, for robots that search by code; None if unresolved.

    ``{"bank_code": "0017", "bank_name": "埼玉りそな銀行", "branch_code": "589",
    "branch_name": "越生毛呂山"}`` — exact matches only (score 1.0); 本店 → the head office.
    """
    kind = fields.get("bank_kind")
    bank = match_bank(fields.get("bank_name"), kind if kind in BANK_KINDS else None)
    if bank is None or bank.score < 1.0:
        return None
    if fields.get("branch_kind") == "本店" and not fields.get("branch_name"):
        branch = head_office(bank.code)
    else:
        branch = match_branch(bank.code, fields.get("branch_name"))
    if branch is None or branch.score < 1.0:
        return None
    return {"bank_code": bank.code, "bank_name": bank.full_name, "branch_code": branch.code,
            "branch_name": branch.name}
