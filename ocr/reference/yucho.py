"""ゆうちょ銀行 記号/番号 → the bank-transfer form (店番, 店名, 口座番号) used by 全銀 transfers.

記号 1xxx0 (通常貯金) → 店番 = 2nd and 3rd digits + "8", 店名 those digits in kanji + 八
(14370 → 438, 四三八); 番号 → 口座番号 = the number without its last (check) digit, zero-padded
to 7 (04330621 → 0433062). The zengin-code master lists only part of ゆうちょ's branches, so a
missing branch is spelt from its digits, the way the master spells the others.
"""

from __future__ import annotations

from typing import Any

from ocr.reference import banks
from yomikaki.japanese import normalize_text

__all__ = ["yucho_branch_name", "yucho_to_bank_account"]


def yucho_to_bank_account(symbol: Any, number: Any) -> tuple[str, str, str]:
    """ゆうちょ 記号/番号 → (店番, 店名カナ, 口座番号) for bank transfers (預金種目 普通).

    記号 1xxx0 → 店番 = its 2nd and 3rd digits + "8" (14370 → 438, 店名 四三八 ヨンサンハチ);
    番号 → 口座番号 = the number without its last digit, zero-padded to 7 (04330621 → 0433062).
    ValueError (Japanese message) for an invalid 記号/番号.
    """
    symbol = normalize_text(symbol, fullwidth_space=False).replace(" ", "")
    number = normalize_text(number, fullwidth_space=False).replace(" ", "")
    if not (len(symbol) == 5 and symbol.isascii() and symbol.isdigit()) or not symbol.startswith("1"):
        raise ValueError("ゆうちょ銀行の記号は1で始まる5桁の数字です")
    if not (len(number) in (7, 8) and number.isascii() and number.isdigit()):
        raise ValueError("ゆうちょ銀行の番号は7〜8桁の数字です")
    branch_code = symbol[1:3] + "8"
    branch = banks.branch_by_code(banks.YUCHO_CODE, branch_code)
    kana = branch.kana if branch is not None else "".join(_DIGIT_KANA[d] for d in branch_code)
    account = number[:-1].zfill(7)
    return branch_code, kana, account


#: how the zengin master spells the digits of ゆうちょ branch names (〇一八 → ゼロイチハチ)
_DIGIT_KANA = dict(zip("0123456789", ("ゼロ", "イチ", "ニ", "サン", "ヨン", "ゴ", "ロク", "ナナ", "ハチ", "キユウ"),
                       strict=True))


def yucho_branch_name(symbol: Any) -> str:
    """The ゆうちょ branch name for a 記号 (14370 → 四三八), as in the zengin master."""
    code = normalize_text(symbol, fullwidth_space=False)[1:3] + "8"
    return "".join("〇一二三四五六七八九"[int(d)] for d in code)
