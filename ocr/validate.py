"""Validators for the benefit application's canonical fields, with short Japanese messages.

The same rules serve the OCR pipeline (confidence, review list) and the review import
(``確認!F12: 口座番号は7桁の数字です``). Values are expected in the README's formats, i.e. after
``ocr.normalize.normalize_field``.

- ``validate_fields(fields) -> {key: [message, …]}``: errors only (what blocks an import);
  ``include_warnings=True`` adds warnings (e.g. the account holder is not the household head).
- ``validate_field(key, value, fields) -> [message, …]``: one key (members: ``members.2.name``).
- ``check_fields(fields) -> [Problem]``: everything, each a ``str`` with ``.key`` and ``.level``
  ("error" / "warning").
- ``field_is_valid(key, value, fields) -> bool``: no error for that key (for confidences).
- ``yucho_to_bank_account(symbol, number) -> (branch_code, branch_name_kana, account_number)``.

Keys of messages for members are ``members.N.name`` etc. (N from 1); cross-field rules are
reported on one key: both or no account block → ``yucho_symbol`` / ``account_number``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ocr.normalize import parse_member_key
from ocr.reference import banks, postal
from ocr.reference.lexicon import lexicon_match
from ocr.reference.yucho import yucho_branch_name, yucho_to_bank_account
from yomikaki.japanese import is_fullwidth_katakana, normalize_text

__all__ = [
    "CHOICES",
    "FIELD_LABELS",
    "Problem",
    "Rules",
    "check_fields",
    "field_is_valid",
    "field_label",
    "get_validator",
    "lexicon_match",
    "validate_field",
    "validate_fields",
    "yucho_branch_name",
    "yucho_to_bank_account",
]

ERROR = "error"
WARNING = "warning"
MAX_MEMBERS = 4

FIELD_LABELS: dict[str, str] = {
    "application_id": "申請書番号",
    "household_head_kana": "フリガナ",
    "household_head_name": "世帯主氏名",
    "household_head_birth_date": "世帯主 生年月日",
    "postal_code": "郵便番号",
    "address": "住所",
    "members": "世帯員",
    "application_date": "申請日",
    "phone": "電話番号",
    "bank_kind": "金融機関の種類",
    "bank_name": "金融機関名",
    "branch_kind": "本店・支店・出張所",
    "branch_name": "支店名",
    "account_type": "預金種別",
    "account_number": "口座番号",
    "yucho_symbol": "ゆうちょ銀行 記号",
    "yucho_number": "ゆうちょ銀行 番号",
    "account_holder_kana": "口座名義（カナ）",
    "applicant_signature": "申請者氏名（自署）",
    "seal_present": "印",
}
_MEMBER_LABELS = {"name": "氏名", "kana": "カナ氏名", "relation": "続柄", "birth_date": "生年月日",
                  "opt_out": "受給を希望しない"}
for _n in range(1, MAX_MEMBERS + 1):
    for _sub, _label in _MEMBER_LABELS.items():
        if _sub != "kana":
            FIELD_LABELS[f"members.{_n}.{_sub}"] = f"世帯員{_n} {_label}"

CHOICES: dict[str, tuple[str, ...]] = {
    "account_type": ("普通", "当座"),
    "bank_kind": banks.BANK_KINDS,
    "branch_kind": ("本店", "支店", "出張所"),
    "relation": ("本人", "妻", "夫", "子", "父", "母", "孫"),
    "opt_out": ("はい", "いいえ"),  # how the workbook shows the boolean
    "seal_present": ("あり", "なし"),
}

BANK_KEYS = ("bank_kind", "bank_name", "branch_kind", "branch_name", "account_type", "account_number")
YUCHO_KEYS = ("yucho_symbol", "yucho_number")


def field_label(key: str) -> str:
    """The label printed on the form for a canonical or member key (``members.7.name`` works)."""
    if key in FIELD_LABELS:
        return FIELD_LABELS[key]
    member = parse_member_key(key)
    if member:
        return f"世帯員{member[0]} {_MEMBER_LABELS[member[1]]}"
    return key


class Problem(str):
    """A message (a plain ``str``) that also knows its field ``key`` and ``level``."""

    key: str
    level: str

    def __new__(cls, key: str, message: str, level: str = ERROR) -> Problem:
        obj = super().__new__(cls, message)
        obj.key = key
        obj.level = level
        return obj

    def __reduce__(self):  # picklable across worker processes
        return (Problem, (self.key, str(self), self.level))

    @property
    def is_error(self) -> bool:
        return self.level == ERROR


@dataclass(frozen=True)
class Rules:
    """Tunable parts of the rules; ``Rules.from_settings()`` reads ``[ocr]`` of yomikaki.toml."""

    application_from: date = date(2026, 1, 1)
    application_to: date = date(2026, 12, 31)
    today: date | None = None  # birth dates must be before this (default: the real today)
    earliest_birth: date = date(1900, 1, 1)
    bank_cutoff: float = 0.5  # fuzzy score under which no "did you mean" is offered

    @classmethod
    def from_settings(cls, **overrides: Any) -> Rules:
        try:
            from yomikaki.settings import get_settings

            ocr = get_settings().ocr
            values = {"application_from": date.fromisoformat(str(ocr.application_date_from)),
                      "application_to": date.fromisoformat(str(ocr.application_date_to))}
        except Exception:  # noqa: BLE001 - no settings available: the defaults above
            values = {}
        values.update(overrides)
        return cls(**values)

    def current_day(self) -> date:
        return self.today or date.today()


# --------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------
def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _digits(value: Any, n: int | tuple[int, ...]) -> bool:
    sizes = (n,) if isinstance(n, int) else n
    return isinstance(value, str) and value.isascii() and value.isdigit() and len(value) in sizes


def _iso_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _wareki(day: date) -> str:
    from yomikaki.japanese import iso_to_wareki

    return iso_to_wareki(day)


def _kana_key(text: Any) -> str:
    import jaconv

    return jaconv.enlarge_smallkana(normalize_text(text).replace("\u3000", "").replace(" ", ""))


def _several(value: Any, key: str) -> bool:
    """Several options of a tick group ticked (``ocr.normalize`` joins them with 「・」)."""
    if not isinstance(value, str) or "・" not in value:
        return False
    return sum(part in CHOICES[key] for part in value.split("・")) >= 2


def _has_bank_block(fields: Mapping[str, Any]) -> bool:
    return any(not _empty(fields.get(k)) for k in BANK_KEYS)


def _has_yucho_block(fields: Mapping[str, Any]) -> bool:
    return any(not _empty(fields.get(k)) for k in YUCHO_KEYS)


# --------------------------------------------------------------------------------------
# per-key rules: each yields (level, message)
# --------------------------------------------------------------------------------------
def _check_application_id(value, fields, rules):
    if _empty(value):
        yield ERROR, "申請書番号が空です"
    elif not _digits(value, 10):
        yield ERROR, "申請書番号は10桁の数字です"


def _check_name(label: str, required: bool = True):
    def check(value, fields, rules):
        if _empty(value):
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


def _check_kana(label: str):
    def check(value, fields, rules):
        if _empty(value):
            yield ERROR, f"{label}が空です"
        elif not isinstance(value, str) or not is_fullwidth_katakana(value):
            yield ERROR, f"{label}は全角カタカナです"
        elif value.count("\u3000") != 1:
            yield WARNING, f"{label}の姓と名の間に全角スペースが1つありません"

    return check


def _check_birth_date(label: str):
    def check(value, fields, rules):
        if _empty(value):
            yield ERROR, f"{label}が空です"
            return
        day = _iso_date(value)
        if day is None:
            yield ERROR, f"{label}が正しい日付ではありません"
        elif day >= rules.current_day():
            yield ERROR, f"{label}が未来の日付です"
        elif day < rules.earliest_birth:
            yield ERROR, f"{label}が{rules.earliest_birth.year}年より前です"

    return check


def _check_head_birth_date(value, fields, rules):
    yield from _check_birth_date("世帯主の生年月日")(value, fields, rules)
    members = fields.get("members") or []
    head = next((m for m in members if isinstance(m, Mapping) and m.get("relation") == "本人"), None)
    if head and _iso_date(value) and head.get("birth_date") and head.get("birth_date") != value:
        yield WARNING, "世帯主の生年月日が世帯員（本人）の生年月日と違います"


def _check_postal_code(value, fields, rules):
    if _empty(value):
        yield ERROR, "郵便番号が空です"
        return
    if not _digits(value, 7):
        yield ERROR, "郵便番号は7桁の数字です"
        return
    entry = postal.lookup(value)
    shown = f"〒{value[:3]}-{value[3:]}"
    if entry is None:
        yield ERROR, f"郵便番号{shown}は存在しません"
        return
    address = fields.get("address")
    if _empty(address):
        return
    score = postal.address_matches(value, address)
    if score < 1.0:
        suggestions = postal.codes_for_address(address)
        hint = f"（住所からは〒{suggestions[0][:3]}-{suggestions[0][3:]}）" if suggestions else f"（{shown}は{entry}）"
        yield ERROR, f"郵便番号と住所が一致しません{hint}"


def _check_address(value, fields, rules):
    if _empty(value):
        yield ERROR, "住所が空です"


def _check_members(value, fields, rules):
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


def _check_member(index: int, sub: str, value, fields, rules):
    label = f"世帯員{index}の{_MEMBER_LABELS[sub]}"
    if sub == "name":
        yield from _check_name(label)(value, fields, rules)
    elif sub == "kana":
        if not _empty(value):
            yield from _check_kana(label)(value, fields, rules)
    elif sub == "relation":
        if _empty(value):
            yield ERROR, f"{label}が空です"
        elif value not in CHOICES["relation"]:
            yield ERROR, f"{label}が正しくありません（{'・'.join(CHOICES['relation'])}）"
        elif index == 1 and value != "本人":
            yield WARNING, "世帯員1の続柄は通常「本人」です"
    elif sub == "birth_date":
        yield from _check_birth_date(label)(value, fields, rules)
    elif sub == "opt_out":
        if not isinstance(value, bool):
            yield ERROR, f"{label}は「はい」か「いいえ」です"


def _check_application_date(value, fields, rules):
    if _empty(value):
        yield ERROR, "申請日が空です"
        return
    day = _iso_date(value)
    if day is None:
        yield ERROR, "申請日が正しい日付ではありません"
    elif not (rules.application_from <= day <= rules.application_to):
        yield ERROR, (f"申請日が受付期間外です（{_wareki(rules.application_from)}〜"
                      f"{_wareki(rules.application_to)}）")


def _check_phone(value, fields, rules):
    if _empty(value):
        yield WARNING, "電話番号が空です"
        return
    problem = phone_problem(value)
    if problem:
        yield ERROR, problem


def phone_problem(value: Any) -> str | None:
    """Why ``value`` is not a plausible Japanese phone number, or None."""
    text = normalize_text(value, fullwidth_space=False)
    if any(ch not in "0123456789-" for ch in text):
        return "電話番号は数字とハイフンで書きます"
    digits = text.replace("-", "")
    if not digits.startswith("0"):
        return "電話番号は0から始まります"
    if digits[:3] in {"070", "080", "090", "050"} and len(digits) != 11:
        return "携帯電話番号は11桁です"
    if len(digits) not in (10, 11):
        return "電話番号の桁数が正しくありません"
    try:
        import phonenumbers

        if not phonenumbers.is_valid_number(phonenumbers.parse(digits, "JP")):
            return "電話番号が正しくありません"
    except Exception:  # noqa: BLE001 - library trouble: the digit checks above stand
        return None
    return None


def _check_bank_kind(value, fields, rules):
    if not _has_bank_block(fields):
        return
    if _empty(value):
        yield ERROR, "金融機関の種類（銀行・信用金庫・信用組合・農協・労働金庫）を選んでください"
    elif _several(value, "bank_kind"):
        yield ERROR, "金融機関の種類が2つ以上選ばれています"
    elif value not in CHOICES["bank_kind"]:
        yield ERROR, f"金融機関の種類が正しくありません（{'・'.join(CHOICES['bank_kind'])}）"


def _check_bank_name(value, fields, rules):
    if not _has_bank_block(fields):
        return
    if _empty(value):
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


def _check_branch_kind(value, fields, rules):
    if not _has_bank_block(fields):
        return
    if _several(value, "branch_kind"):
        yield ERROR, "本店・支店・出張所が2つ以上選ばれています"
    elif _empty(value) or value not in CHOICES["branch_kind"]:
        yield ERROR, "本店・支店・出張所のいずれかを選んでください"


def _check_branch_name(value, fields, rules):
    if not _has_bank_block(fields):
        return
    kind = fields.get("branch_kind")
    if kind == "本店":
        if not _empty(value) and value != "本店":
            yield WARNING, "本店が選ばれていますが支店名が書かれています"
        return
    if _empty(value):
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


def _check_account_type(value, fields, rules):
    if not _has_bank_block(fields):
        return
    if _several(value, "account_type"):
        yield ERROR, "預金種別が2つ以上選ばれています"
    elif _empty(value) or value not in CHOICES["account_type"]:
        yield ERROR, "預金種別（普通・当座）を選んでください"


def _check_account_number(value, fields, rules):
    if not _has_bank_block(fields):
        if not _has_yucho_block(fields):
            yield ERROR, "口座の記入がありません（金融機関またはゆうちょ銀行）"
        return
    if _empty(value):
        yield ERROR, "口座番号が空です"
    elif not _digits(value, 7):
        yield ERROR, "口座番号は7桁の数字です"


def _check_yucho_symbol(value, fields, rules):
    if not _has_yucho_block(fields):
        return
    if _has_bank_block(fields):
        yield ERROR, "金融機関とゆうちょ銀行の両方に記入があります（どちらか一方です）"
    if _empty(value):
        yield ERROR, "ゆうちょ銀行の記号が空です"
    elif not _digits(value, 5):
        yield ERROR, "ゆうちょ銀行の記号は5桁の数字です"
    elif not value.startswith("1"):
        yield ERROR, "ゆうちょ銀行の記号は1で始まります"
    else:
        if not value.endswith("0"):
            yield WARNING, "ゆうちょ銀行の記号の末尾は通常0です"
        # no check of the 店番 against zengin-code: it lists only part of ゆうちょ's branches


def _check_yucho_number(value, fields, rules):
    if not _has_yucho_block(fields):
        return
    if _empty(value):
        yield ERROR, "ゆうちょ銀行の番号が空です"
    elif not _digits(value, (7, 8)):
        yield ERROR, "ゆうちょ銀行の番号は7〜8桁の数字です"
    elif not value.endswith("1"):
        yield WARNING, "ゆうちょ銀行の番号の末尾は通常1です"


def _check_holder_kana(value, fields, rules):
    yield from _check_kana("口座名義（カナ）")(value, fields, rules)
    head = fields.get("household_head_kana")
    if not _empty(value) and not _empty(head) and is_fullwidth_katakana(value):
        if _kana_key(value) != _kana_key(head):
            yield WARNING, "口座名義が世帯主のフリガナと違います"


def _check_signature(value, fields, rules):
    yield from _check_name("申請者氏名（自署）")(value, fields, rules)
    if _empty(value):
        return
    names = {fields.get("household_head_name")}
    names |= {m.get("name") for m in fields.get("members") or [] if isinstance(m, Mapping)}
    names.discard(None)
    if names and value not in names:
        yield WARNING, "申請者氏名が世帯員の氏名にありません"


def _check_seal(value, fields, rules):
    if value is not None and not isinstance(value, bool):
        yield ERROR, "印の有無が正しくありません"


def _check_head_name(value, fields, rules):
    yield from _check_name("世帯主氏名")(value, fields, rules)
    members = fields.get("members") or []
    head = next((m for m in members if isinstance(m, Mapping) and m.get("relation") == "本人"), None)
    if head and not _empty(value) and not _empty(head.get("name")) and head.get("name") != value:
        yield WARNING, "世帯主氏名が世帯員（本人）の氏名と違います"


_CHECKS = {
    "application_id": _check_application_id,
    "household_head_name": _check_head_name,
    "household_head_kana": _check_kana("フリガナ"),
    "household_head_birth_date": _check_head_birth_date,
    "postal_code": _check_postal_code,
    "address": _check_address,
    "members": _check_members,
    "application_date": _check_application_date,
    "phone": _check_phone,
    "bank_kind": _check_bank_kind,
    "bank_name": _check_bank_name,
    "branch_kind": _check_branch_kind,
    "branch_name": _check_branch_name,
    "account_type": _check_account_type,
    "account_number": _check_account_number,
    "yucho_symbol": _check_yucho_symbol,
    "yucho_number": _check_yucho_number,
    "account_holder_kana": _check_holder_kana,
    "applicant_signature": _check_signature,
    "seal_present": _check_seal,
}
FIELD_KEYS = tuple(_CHECKS)


# --------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------
def check_field(key: str, value: Any, fields: Mapping[str, Any] | None = None,
                rules: Rules | None = None) -> list[Problem]:
    """Every problem (errors and warnings) of one key; ``fields`` gives the other values."""
    rules = rules or Rules.from_settings()
    fields = dict(fields or {})
    member = parse_member_key(key)
    if member is not None:
        index, sub = member
        results = _check_member(index, sub, value, fields, rules)
    elif key in _CHECKS:
        fields[key] = value
        results = _CHECKS[key](value, fields, rules)
    else:
        return []
    return [Problem(key, message, level) for level, message in results]


def check_fields(fields: Mapping[str, Any], rules: Rules | None = None) -> list[Problem]:
    """Every problem of a whole form, in the form's order (members as ``members.N.*``)."""
    rules = rules or Rules.from_settings()
    problems: list[Problem] = []
    for key in FIELD_KEYS:
        problems += check_field(key, fields.get(key), fields, rules)
        if key == "members" and isinstance(fields.get("members"), list):
            for index, member in enumerate(fields["members"], start=1):
                member = member if isinstance(member, Mapping) else {}
                for sub in (*MEMBER_SUBKEYS, *(("kana",) if "kana" in member else ())):
                    problems += check_field(f"members.{index}.{sub}", member.get(sub), fields, rules)
    return problems


MEMBER_SUBKEYS = ("name", "relation", "birth_date", "opt_out")


def validate_field(key: str, value: Any, fields: Mapping[str, Any] | None = None, *,
                   include_warnings: bool = False, rules: Rules | None = None) -> list[str]:
    """The error messages of one key (plus warnings when asked); [] when it is valid."""
    return [p for p in check_field(key, value, fields, rules) if include_warnings or p.is_error]


def validate_fields(fields: Mapping[str, Any], *, include_warnings: bool = False,
                    rules: Rules | None = None) -> dict[str, list[str]]:
    """{key: [messages]} for the keys with errors (and warnings when asked); {} when all valid."""
    out: dict[str, list[str]] = {}
    for problem in check_fields(fields, rules):
        if include_warnings or problem.is_error:
            out.setdefault(problem.key, []).append(problem)
    return out


def field_is_valid(key: str, value: Any, fields: Mapping[str, Any] | None = None,
                   rules: Rules | None = None) -> bool:
    """True when ``key`` has no error (warnings allowed)."""
    return not validate_field(key, value, fields, rules=rules)


def _check_any_date(value, fields, rules):
    if not _empty(value) and _iso_date(value) is None:
        yield ERROR, "正しい日付ではありません"


_GENERIC_CHECKS = {
    "date": _check_any_date,
    "relation": lambda value, fields, rules: _check_member(1, "relation", value, fields, rules),
}
#: every name a template's ``validators:`` may use: the canonical keys plus generic ones
VALIDATOR_NAMES = tuple(sorted(set(_CHECKS) | set(_GENERIC_CHECKS)))


def get_validator(name: str):
    """``check(value, fields=None, rules=None) -> [Problem]`` for a template's validator name.

    A canonical key (``phone``, ``account_number`` …) runs that key's rules; ``date`` checks an
    ISO date. ConfigError with a "did you mean" for an unknown name.
    """
    func = _CHECKS.get(name) or _GENERIC_CHECKS.get(name)
    if func is None:
        import difflib

        from yomikaki.errors import ConfigError

        close = difflib.get_close_matches(name, VALIDATOR_NAMES, n=1)
        hint = f"（もしかして「{close[0]}」？）" if close else ""
        raise ConfigError(f"検証ルール「{name}」はありません{hint}", hint="使える名前: " + ", ".join(VALIDATOR_NAMES))

    def check(value: Any, fields: Mapping[str, Any] | None = None, rules: Rules | None = None) -> list[Problem]:
        merged = dict(fields or {})
        if name in _CHECKS:
            merged[name] = value
        return [Problem(name, message, level) for level, message in func(value, merged, rules or Rules.from_settings())]

    return check
