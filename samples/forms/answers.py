"""What a resident writes in Section 2: date, phone, account, holder, signature, seal.

Banks and branches are real entries of the offline zengin-code master, chosen among
institutions a Sakado-shi resident would use; a branch is kept only when both handwriting
fonts can draw its name. Values follow the canonical formats of the form's README.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from samples.forms.fonts import HAND_FONTS, covers

SPACE = "\u3000"
APPLICATION_YEAR = 2026  # 令和8年

# (zengin code, weight). Kinds follow the master's suffix (信金, 信組, 労金, 農協) or the code.
BANK_CHOICES = (
    ("0017", 24),  # 埼玉りそな
    ("0133", 14),  # 武蔵野
    ("0009", 7),   # 三井住友
    ("0001", 7),   # みずほ
    ("0005", 7),   # 三菱UFJ
    ("1250", 11),  # 埼玉縣信金
    ("1251", 4),   # 川口信金
    ("1253", 4),   # 飯能信金
    ("1252", 2),   # 青木信金
    ("4735", 9),   # いるま野農協
    ("2963", 4),   # 中央労金
    ("2167", 2),   # 埼玉信組
)
# Banks whose branches all lie in and around Saitama (their names define "local" for the rest).
_LOCAL_BANKS = ("0017", "0133", "1250", "1251", "1252", "1253", "4735", "2167")
_SKIP_BRANCH = ("ローン", "エイティエム", "エーテイーエム", "ATM", "営業部", "けやき", "さくらそう",
                "しらこばと", "かわせみ", "インターネット", "ダイレクト", "振込", "年金", "センター",
                "東京", "渋谷", "池袋", "浜松町", "板橋", "久米川")
_KIND_SUFFIXES = (("信金", "信用金庫"), ("信組", "信用組合"), ("労金", "労働金庫"), ("農協", "農協"))


@dataclass(frozen=True)
class Branch:
    name: str | None  # without suffix; None for 本店
    kind: str         # 本店 / 支店 / 出張所


@dataclass(frozen=True)
class Institution:
    code: str
    name: str         # as the resident writes it, without the kind suffix (NFKC)
    kind: str         # 銀行 / 信用金庫 / 信用組合 / 農協 / 労働金庫
    branches: tuple[Branch, ...]


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _split_kind(code: str, name: str) -> tuple[str, str]:
    name = _nfkc(name)
    for short, kind in _KIND_SUFFIXES:
        if name.endswith(short):
            return name[: -len(short)], kind
    return name, "銀行"


def _drawable(text: str) -> bool:
    return all(covers(font_name, text) for font_name in HAND_FONTS)


def _branch(name: str) -> Branch | None:
    name = _nfkc(name)
    if name in ("本店", "本店営業部"):
        return Branch(None, "本店")
    if any(word in name for word in _SKIP_BRANCH):
        return None
    if name.endswith("出張所"):
        return Branch(name[: -len("出張所")], "出張所")
    if name.endswith(("支店", "支所", "営業所")):
        return None
    return Branch(name, "支店")


@lru_cache(maxsize=1)
def institutions() -> tuple[tuple[Institution, int], ...]:
    """The institutions of ``BANK_CHOICES`` with their usable branches, and their weights."""
    import zengin_code

    banks = zengin_code.Bank.all
    local_names = {_nfkc(b.name) for code in _LOCAL_BANKS[:3] for b in banks[code].branches.values()}
    result = []
    for code, weight in BANK_CHOICES:
        bank = banks[code]
        name, kind = _split_kind(code, bank.name)
        branches = []
        for entry in bank.branches.values():
            branch = _branch(entry.name)
            if branch is None:
                continue
            if code not in _LOCAL_BANKS and (branch.kind == "本店" or _nfkc(entry.name) not in local_names):
                continue  # a national institution: keep its branches in Saitama towns
            if branch.name is not None and not _drawable(branch.name):
                continue
            branches.append(branch)
        if branches and _drawable(name):
            result.append((Institution(code, name, kind, tuple(branches)), weight))
    return tuple(result)


def _application_date(rng: random.Random) -> dt.date:
    start = dt.date(APPLICATION_YEAR, 1, 5)
    return start + dt.timedelta(days=rng.randrange(355))


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.35:  # Sakado landline: 049-28x/29x-xxxx
        return f"049-{rng.choice((28, 29))}{rng.randrange(10)}-{rng.randrange(10000):04d}"
    return f"{rng.choice(('090', '080', '070'))}-{rng.randrange(1000, 10000)}-{rng.randrange(10000):04d}"


def choose_answers(household: dict, rng: random.Random) -> dict:
    """Section 2 values (canonical keys and formats) plus drawing hints prefixed with ``_``."""
    members = household["members"]
    head = members[0]
    signer = head
    spouses = [m for m in members[1:] if m["relation"] in ("妻", "夫")]
    if spouses and rng.random() < 0.08:
        signer = spouses[0]
    answers: dict = {
        "application_date": _application_date(rng).isoformat(),
        "phone": _phone(rng),
        "bank_kind": None, "bank_name": None, "branch_kind": None, "branch_name": None,
        "account_type": None, "account_number": None, "yucho_symbol": None, "yucho_number": None,
        "account_holder_kana": signer["kana"],
        "applicant_signature": signer["name"],
        "seal_present": rng.random() < 0.7,
    }
    if rng.random() < 0.15:
        answers["yucho_symbol"] = f"1{rng.randrange(1000):03d}0"
        digits = rng.choice((7, 8))
        answers["yucho_number"] = f"{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}1"
    else:
        table = institutions()
        institution = rng.choices([i for i, _ in table], weights=[w for _, w in table])[0]
        head_office = [b for b in institution.branches if b.kind == "本店"]
        others = [b for b in institution.branches if b.kind != "本店"]
        branch = head_office[0] if head_office and (not others or rng.random() < 0.08) else rng.choice(others)
        answers.update({
            "bank_kind": institution.kind, "bank_name": institution.name,
            "branch_kind": branch.kind, "branch_name": branch.name,
            "account_type": "当座" if rng.random() < 0.05 else "普通",
            "account_number": f"{rng.randrange(10_000_000):07d}",
        })
    return answers
