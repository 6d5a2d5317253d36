"""Rules for Section 1 (printed by the city): id, head, postal code ↔ address, members."""

from __future__ import annotations

from collections.abc import Mapping

from ocr.reference import postal
from ocr.validate.base import (
    CHOICES,
    ERROR,
    MAX_MEMBERS,
    MEMBER_LABELS,
    WARNING,
    is_digits,
    is_empty,
    iso_date,
)
from yomikaki.japanese import is_fullwidth_katakana


def check_application_id(value, fields, rules):
    if is_empty(value):
        yield ERROR, "申請書番号が空です"
    elif not is_digits(value, 10):
        yield ERROR, "申請書番号は10桁の数字です"


def check_name(label: str, required: bool = True):
    def check(value, fields, rules):
        if is_empty(value):
            if required:
                yield ERROR, f"{label}が空です"
            return
        if not isinstance(value, str):
            yield ERROR, f"{label}が正しくありません"
            return
        if any(ch.isdigit() for ch in value):
            yield ERROR, f"{label}に数字が含まれています"
        elif value.count("\u3000") != 1 or value.startswith("\u3000") or value.endswith("\u3000"):
            yield WARNING, f"{label}の姓と名の間に全角スペースが1つありません"

    return check


def check_kana(label: str):
    def check(value, fields, rules):
        if is_empty(value):
            yield ERROR, f"{label}が空です"
        elif not isinstance(value, str) or not is_fullwidth_katakana(value):
            yield ERROR, f"{label}は全角カタカナです"
        elif value.count("\u3000") != 1:
            yield WARNING, f"{label}の姓と名の間に全角スペースが1つありません"

    return check


def check_birth_date(label: str):
    def check(value, fields, rules):
        if is_empty(value):
            yield ERROR, f"{label}が空です"
            return
        day = iso_date(value)
        if day is None:
            yield ERROR, f"{label}が正しい日付ではありません"
        elif day >= rules.current_day():
            yield ERROR, f"{label}が未来の日付です"
        elif day < rules.earliest_birth:
            yield ERROR, f"{label}が{rules.earliest_birth.year}年より前です"

    return check


def check_head_birth_date(value, fields, rules):
    yield from check_birth_date("世帯主の生年月日")(value, fields, rules)
    members = fields.get("members") or []
    head = next((m for m in members if isinstance(m, Mapping) and m.get("relation") == "本人"), None)
    if head and iso_date(value) and head.get("birth_date") and head.get("birth_date") != value:
        yield WARNING, "世帯主の生年月日が世帯員（本人）の生年月日と違います"


def check_postal_code(value, fields, rules):
    if is_empty(value):
        yield ERROR, "郵便番号が空です"
        return
    if not is_digits(value, 7):
        yield ERROR, "郵便番号は7桁の数字です"
        return
    entry = postal.lookup(value)
    shown = f"〒{value[:3]}-{value[3:]}"
    if entry is None:
        yield ERROR, f"郵便番号{shown}は存在しません"
        return
    address = fields.get("address")
    if is_empty(address):
        return
    score = postal.address_matches(value, address)
    if score < 1.0:
        suggestions = postal.codes_for_address(address)
        hint = f"（住所からは〒{suggestions[0][:3]}-{suggestions[0][3:]}）" if suggestions else f"（{shown}は{entry}）"
        yield ERROR, f"郵便番号と住所が一致しません{hint}"


def check_address(value, fields, rules):
    if is_empty(value):
        yield ERROR, "住所が空です"


def check_members(value, fields, rules):
    if not value:
        yield ERROR, "世帯員の記入がありません"
        return
    if not isinstance(value, list):
        yield ERROR, "世帯員が正しくありません"
        return
    if len(value) > MAX_MEMBERS:
        yield ERROR, f"世帯員は{MAX_MEMBERS}人までです"
    relations = [m.get("relation") for m in value if isinstance(m, Mapping)]
    if relations.count("本人") > 1:
        yield ERROR, "続柄「本人」の世帯員が2人以上います"


def check_member(index: int, sub: str, value, fields, rules):
    label = f"世帯員{index}の{MEMBER_LABELS[sub]}"
    if sub == "name":
        yield from check_name(label)(value, fields, rules)
    elif sub == "kana":
        if not is_empty(value):
            yield from check_kana(label)(value, fields, rules)
    elif sub == "relation":
        if is_empty(value):
            yield ERROR, f"{label}が空です"
        elif value not in CHOICES["relation"]:
            yield ERROR, f"{label}が正しくありません（{'・'.join(CHOICES['relation'])}）"
        elif index == 1 and value != "本人":
            yield WARNING, "世帯員1の続柄は通常「本人」です"
        else:
            yield from _relation_plausible(index, value, fields)
    elif sub == "birth_date":
        problems = list(check_birth_date(label)(value, fields, rules))
        yield from problems
        if not problems:
            yield from _generation_order(index, iso_date(value), fields)
    elif sub == "opt_out":
        if not isinstance(value, bool):
            yield ERROR, f"{label}は「はい」か「いいえ」です"


def check_head_name(value, fields, rules):
    yield from check_name("世帯主氏名")(value, fields, rules)
    members = fields.get("members") or []
    head = next((m for m in members if isinstance(m, Mapping) and m.get("relation") == "本人"), None)
    if head and not is_empty(value) and not is_empty(head.get("name")) and head.get("name") != value:
        yield WARNING, "世帯主氏名が世帯員（本人）の氏名と違います"


_YOUNGER = ("子", "孫")  # born after 本人
_OLDER = ("父", "母")  # born before 本人


def _generation_order(index: int, day, fields):
    """Warnings when a child is older than 本人 or a parent younger (a misread year, usually)."""
    members = [m for m in fields.get("members") or [] if isinstance(m, Mapping)]
    if not (0 < index <= len(members)) or day is None:
        return
    relation = members[index - 1].get("relation")
    head = next((iso_date(m.get("birth_date")) for m in members if m.get("relation") == "本人"), None)
    if head is None or relation not in _YOUNGER + _OLDER:
        return
    if relation in _YOUNGER and day <= head:
        yield WARNING, f"世帯員{index}（{relation}）の生年月日が本人より前です"
    elif relation in _OLDER and day >= head:
        yield WARNING, f"世帯員{index}（{relation}）の生年月日が本人より後です"


#: (relation, least and most years born after 本人) — outside: a likely misread relation
_AGE_GAPS = {"妻": (-25, 25), "夫": (-25, 25), "子": (12, 70), "孫": (30, 110), "父": (-70, -12), "母": (-70, -12)}


def _relation_plausible(index: int, relation: str, fields):
    """Warnings on ``members.N.relation`` when the relation does not fit the household."""
    members = [m for m in fields.get("members") or [] if isinstance(m, Mapping)]
    if not (0 < index <= len(members)):
        return
    if relation in ("妻", "夫") and any(m.get("relation") in ("妻", "夫") for m in members[: index - 1]):
        yield WARNING, f"世帯員{index}の続柄「{relation}」が2人目です"
        return
    head = next((iso_date(m.get("birth_date")) for m in members if m.get("relation") == "本人"), None)
    day = iso_date(members[index - 1].get("birth_date"))
    if relation not in _AGE_GAPS or head is None or day is None:
        return
    if (relation in _YOUNGER and day <= head) or (relation in _OLDER and day >= head):
        return  # reported on the birth date (_generation_order)
    low, high = _AGE_GAPS[relation]
    gap = (day - head).days / 365.25
    if not (low <= gap <= high):
        yield WARNING, f"世帯員{index}の続柄「{relation}」と生年月日が合いません（本人との年齢差 {abs(gap):.0f}歳）"
