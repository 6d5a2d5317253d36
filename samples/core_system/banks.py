"""Bank and branch search over the full zengin-code master (offline).

Display names are NFKC-normalised (「三菱ＵＦＪ」 → 「三菱UFJ」) and add the kind the master abbreviates: 「三井住友」 → 「三井住友銀行」,
「埼玉縣信金」 → 「埼玉縣信用金庫」, branch 「坂戸」 → 「坂戸支店」. Matching folds width,
hiragana/katakana and small kana, and looks at the code, the name, the display name and the
kana, so 「みついすみとも」, 「ﾐﾂｲｽﾐﾄﾓ」, 「三井住友銀行」 and 「0009」 all find bank 0009.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import jaconv

_SMALL = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
_SUFFIXES = (("信金", "信用金庫"), ("信組", "信用組合"), ("労金", "労働金庫"))
_BRANCH_KINDS = ("本店", "支店", "出張所", "営業部", "支所", "営業所", "センター")


@dataclass(frozen=True)
class Entry:
    code: str
    name: str       # as in the master
    display: str    # with its kind: 三井住友銀行, 坂戸支店
    kana: str
    keys: tuple[str, ...]

    def as_json(self) -> dict:
        return {"code": self.code, "name": self.name, "display": self.display, "kana": self.kana,
                "label": f"{self.code} {self.display}"}


def fold(text: str) -> str:
    """Normalise for matching: NFKC, katakana, no small kana, no spaces, upper case."""
    text = unicodedata.normalize("NFKC", text or "")
    text = jaconv.hira2kata(text).translate(_SMALL)
    return "".join(text.split()).upper()


def bank_display_name(code: str, name: str) -> str:
    name = unicodedata.normalize("NFKC", name)
    if code == "9900":
        return "ゆうちょ銀行"
    for short, full in _SUFFIXES:
        if name.endswith(short):
            return name[: -len(short)] + full
    if code < "1000" and not name.endswith("銀行"):
        return name + "銀行"
    return name


def branch_display_name(name: str) -> str:
    name = unicodedata.normalize("NFKC", name)
    return name if name.endswith(_BRANCH_KINDS) else name + "支店"


def _entry(code: str, name: str, display: str, kana: str, hira: str) -> Entry:
    keys = tuple(dict.fromkeys(fold(k) for k in (name, display, kana, hira) if k))
    return Entry(code, name, display, kana, keys)


@lru_cache(maxsize=1)
def _banks() -> dict[str, Entry]:
    import zengin_code

    return {
        code: _entry(code, bank.name, bank_display_name(code, bank.name), bank.kana, bank.hira)
        for code, bank in sorted(zengin_code.Bank.all.items())
    }


@lru_cache(maxsize=256)
def _branches(bank_code: str) -> dict[str, Entry]:
    import zengin_code

    bank = zengin_code.Bank.all.get(bank_code)
    if bank is None:
        return {}
    return {
        code: _entry(code, br.name, branch_display_name(br.name), br.kana, br.hira)
        for code, br in sorted(bank.branches.items())
    }


def _search(entries: dict[str, Entry], query: str, limit: int) -> list[Entry]:
    q = fold(query)
    if not q:
        return list(entries.values())[:limit]
    ranked = []
    for entry in entries.values():
        if q == entry.code:
            rank = 0
        elif any(k == q for k in entry.keys):
            rank = 1
        elif any(k.startswith(q) for k in entry.keys):
            rank = 2
        elif any(q in k for k in entry.keys):
            rank = 3
        else:
            continue
        ranked.append((rank, entry.code, entry))
    ranked.sort(key=lambda item: item[:2])
    return [entry for _, _, entry in ranked[:limit]]


def search_banks(query: str, limit: int = 50) -> list[Entry]:
    return _search(_banks(), query, limit)


def search_branches(bank_code: str, query: str, limit: int = 100) -> list[Entry]:
    return _search(_branches(bank_code), query, limit)


def bank(code: str) -> Entry | None:
    return _banks().get(code)


def branch(bank_code: str, branch_code: str) -> Entry | None:
    return _branches(bank_code).get(branch_code)
