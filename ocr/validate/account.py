"""Rules for the account block: bank (zengin-code) or ゆうちょ, never both; the holder's kana."""

from __future__ import annotations

from ocr.reference import banks
from ocr.validate.base import (
    CHOICES,
    ERROR,
    WARNING,
    has_bank_block,
    has_yucho_block,
    is_digits,
    is_empty,
    kana_key,
    several_ticked,
)
from ocr.validate.household import check_kana
from yomikaki.japanese import is_fullwidth_katakana


def check_bank_kind(value, fields, rules):
    if not has_bank_block(fields):
        return
    if is_empty(value):
        yield ERROR, "金融機関の種類（銀行・信用金庫・信用組合・農協・労働金庫）を選んでください"
    elif several_ticked(value, "bank_kind"):
        yield ERROR, "金融機関の種類が2つ以上選ばれています"
    elif value not in CHOICES["bank_kind"]:
        yield ERROR, f"金融機関の種類が正しくありません（{'・'.join(CHOICES['bank_kind'])}）"


def check_bank_name(value, fields, rules):
    if not has_bank_block(fields):
        return
    if is_empty(value):
        yield ERROR, "金融機関名が空です"
        return
    kind = fields.get("bank_kind")
    kind = kind if kind in CHOICES["bank_kind"] else None
    match = banks.match_bank(value, kind, cutoff=rules.bank_cutoff)
    if match is not None and match.score >= 1.0:
        return
    where = f"（{kind}）" if kind else ""
    hint = f"（「{match.name}」ですか？）" if match is not None else ""
    if match is None and kind:
        other = banks.match_bank(value, None, cutoff=0.99)
        if other is not None:
            hint = f"（「{other.name}」は{other.kind}です）"
    yield ERROR, f"金融機関名「{value}」{where}が見つかりません{hint}"


def check_branch_kind(value, fields, rules):
    if not has_bank_block(fields):
        return
    if several_ticked(value, "branch_kind"):
        yield ERROR, "本店・支店・出張所が2つ以上選ばれています"
    elif is_empty(value) or value not in CHOICES["branch_kind"]:
        yield ERROR, "本店・支店・出張所のいずれかを選んでください"


def check_branch_name(value, fields, rules):
    if not has_bank_block(fields):
        return
    kind = fields.get("branch_kind")
    if kind == "本店":
        if not is_empty(value) and value != "本店":
            yield WARNING, "本店が選ばれていますが支店名が書かれています"
        return
    if is_empty(value):
        yield ERROR, "支店名が空です"
        return
    bank_kind = fields.get("bank_kind")
    bank = banks.match_bank(fields.get("bank_name"), bank_kind if bank_kind in CHOICES["bank_kind"] else None)
    if bank is None or bank.score < 1.0:
        return  # the bank name is reported; branches cannot be checked
    branch = banks.match_branch(bank.code, value, cutoff=rules.bank_cutoff)
    if branch is not None and branch.score >= 1.0:
        return
    hint = f"（「{branch.base_name}」ですか？）" if branch is not None else ""
    yield ERROR, f"支店名「{value}」は{bank.full_name}にありません{hint}"


def check_account_type(value, fields, rules):
    if not has_bank_block(fields):
        return
    if several_ticked(value, "account_type"):
        yield ERROR, "預金種別が2つ以上選ばれています"
    elif is_empty(value) or value not in CHOICES["account_type"]:
        yield ERROR, "預金種別（普通・当座）を選んでください"


def check_account_number(value, fields, rules):
    if not has_bank_block(fields):
        if not has_yucho_block(fields):
            yield ERROR, "口座の記入がありません（金融機関またはゆうちょ銀行）"
        return
    if is_empty(value):
        yield ERROR, "口座番号が空です"
    elif not is_digits(value, 7):
        yield ERROR, "口座番号は7桁の数字です"


def check_yucho_symbol(value, fields, rules):
    if not has_yucho_block(fields):
        return
    if has_bank_block(fields):
        yield ERROR, "金融機関とゆうちょ銀行の両方に記入があります（どちらか一方です）"
    if is_empty(value):
        yield ERROR, "ゆうちょ銀行の記号が空です"
    elif not is_digits(value, 5):
        yield ERROR, "ゆうちょ銀行の記号は5桁の数字です"
    elif not value.startswith("1"):
        yield ERROR, "ゆうちょ銀行の記号は1で始まります"
    else:
        if not value.endswith("0"):
            yield WARNING, "ゆうちょ銀行の記号の末尾は通常0です"
        # no check of the 店番 against zengin-code: it lists only part of ゆうちょ's branches


def check_yucho_number(value, fields, rules):
    if not has_yucho_block(fields):
        return
    if is_empty(value):
        yield ERROR, "ゆうちょ銀行の番号が空です"
    elif not is_digits(value, (7, 8)):
        yield ERROR, "ゆうちょ銀行の番号は7〜8桁の数字です"
    elif not value.endswith("1"):
        yield WARNING, "ゆうちょ銀行の番号の末尾は通常1です"


def check_holder_kana(value, fields, rules):
    yield from check_kana("口座名義（カナ）")(value, fields, rules)
    head = fields.get("household_head_kana")
    if not is_empty(value) and not is_empty(head) and is_fullwidth_katakana(value):
        if kana_key(value) != kana_key(head):
            yield WARNING, "口座名義が世帯主のフリガナと違います"
