"""The column model of the review workbook (sheet 確認).

One row per form page. Columns, left to right:

* key columns (visible, locked, frozen): No. / ファイル / ページ / 要確認 / ページ画像
* value columns, one per canonical key, members as repeated groups (世帯員1 氏名 …);
  a crop column (「…（画像）」) follows a value column when some row has a crop for it
* technical columns (hidden, locked): source, page, form, export_id, seq, row_hash

The workbook stores its own layout in the hidden ``_meta`` sheet, so the import can tell a
renamed or moved column from the layout it was exported with.
"""

from __future__ import annotations

from dataclasses import dataclass

SHEET_REVIEW = "確認"
SHEET_HELP = "使い方"
SHEET_SUMMARY = "集計"
SHEET_UNREADABLE = "読み取り不可"
SHEET_META = "_meta"
SHEET_DATA = "_data"

LEGEND_ROW = 1
HEADER_ROW = 2
FIRST_DATA_ROW = 3

FORM_ID = "benefit-application"
MEMBER_GROUPS = 4  # the form has four member rows

# key, Japanese header, kind (text | digits | date | choice | bool)
TOP_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("application_id", "申請書番号", "digits"),
    ("household_head_name", "世帯主氏名", "text"),
    ("household_head_kana", "フリガナ", "text"),
    ("household_head_birth_date", "世帯主生年月日", "date"),
    ("postal_code", "郵便番号", "digits"),
    ("address", "住所", "text"),
    ("application_date", "申請日", "date"),
    ("phone", "電話番号", "digits"),
    ("bank_kind", "金融機関種別", "choice"),
    ("bank_name", "金融機関名", "text"),
    ("branch_kind", "店舗種別", "choice"),
    ("branch_name", "支店名", "text"),
    ("account_type", "預金種別", "choice"),
    ("account_number", "口座番号", "digits"),
    ("yucho_symbol", "ゆうちょ記号", "digits"),
    ("yucho_number", "ゆうちょ番号", "digits"),
    ("account_holder_kana", "口座名義（カナ）", "text"),
    ("applicant_signature", "申請者氏名（自署）", "text"),
    ("seal_present", "押印", "bool"),
)
MEMBER_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("name", "氏名", "text"),
    ("relation", "続柄", "choice"),
    ("birth_date", "生年月日", "date"),
    ("opt_out", "受給を希望しない", "bool"),
)
# canonical top-level key order of the form README (members after address)
CANONICAL_ORDER = (
    "application_id", "household_head_name", "household_head_kana", "household_head_birth_date",
    "postal_code", "address", "members", "application_date", "phone", "bank_kind", "bank_name",
    "branch_kind", "branch_name", "account_type", "account_number", "yucho_symbol",
    "yucho_number", "account_holder_kana", "applicant_signature", "seal_present",
)
MEMBER_KEYS = tuple(k for k, _, _ in MEMBER_FIELDS)

# Drop-down choices shown in the workbook (the validators stay the authority on import).
DEFAULT_CHOICES: dict[str, tuple[str, ...]] = {
    "bank_kind": ("銀行", "信用金庫", "信用組合", "農協", "労働金庫"),
    "branch_kind": ("本店", "支店", "出張所"),
    "account_type": ("普通", "当座"),
    "relation": ("本人", "妻", "夫", "子", "父", "母", "孫"),
}
# How booleans are shown: (true text, false text)
BOOL_TEXT: dict[str, tuple[str, str]] = {
    "seal_present": ("あり", "なし"),
    "opt_out": ("はい", "いいえ"),
}

KEY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("no", "No."),
    ("file", "ファイル"),
    ("page_no", "ページ"),
    ("to_review", "要確認"),
    ("page_link", "ページ画像"),
)
TECH_COLUMNS: tuple[str, ...] = ("source", "page", "form", "export_id", "seq", "row_hash")


@dataclass(frozen=True)
class Column:
    id: str  # "no", "account_number", "members.2.name", "crop:account_number", "tech:seq"
    header: str
    role: str  # key | value | crop | tech
    kind: str = "text"
    field: str = ""  # value/crop: the field path; "" otherwise

    @property
    def sub_key(self) -> str:
        """The key used for choices and booleans: 'relation' for 'members.2.relation'."""
        return self.field.rsplit(".", 1)[-1] if self.field else ""


def value_fields(member_groups: int = MEMBER_GROUPS) -> list[tuple[str, str, str]]:
    """(field path, header, kind) of every value column, in sheet order."""
    out = list(TOP_FIELDS)
    for i in range(1, member_groups + 1):
        for key, label, kind in MEMBER_FIELDS:
            out.append((f"members.{i}.{key}", f"世帯員{i} {label}", kind))
    return out


def build_columns(member_groups: int = MEMBER_GROUPS, crop_fields: set[str] | None = None) -> list[Column]:
    crop_fields = crop_fields or set()
    cols = [Column(cid, header, "key") for cid, header in KEY_COLUMNS]
    for path, header, kind in value_fields(member_groups):
        cols.append(Column(path, header, "value", kind, path))
        if path in crop_fields:
            cols.append(Column(f"crop:{path}", f"{header}（画像）", "crop", "text", path))
    cols.extend(Column(f"tech:{name}", name, "tech") for name in TECH_COLUMNS)
    return cols


def columns_from_meta(items: list[list[str]]) -> list[Column]:
    """Rebuild the column list stored in ``_meta`` (ids and headers)."""
    kinds = {path: kind for path, _, kind in value_fields(max(MEMBER_GROUPS, _groups(items)))}
    cols = []
    for cid, header in items:
        if cid.startswith("crop:"):
            cols.append(Column(cid, header, "crop", "text", cid[5:]))
        elif cid.startswith("tech:"):
            cols.append(Column(cid, header, "tech"))
        elif cid in kinds:
            cols.append(Column(cid, header, "value", kinds[cid], cid))
        else:
            cols.append(Column(cid, header, "key"))
    return cols


def _groups(items: list[list[str]]) -> int:
    n = 0
    for cid, _ in items:
        if cid.startswith("members."):
            n = max(n, int(cid.split(".")[1]))
    return n


def flatten_fields(fields: dict, member_groups: int) -> dict[str, object]:
    """Canonical fields (members as a list) → {field path: value}."""
    flat: dict[str, object] = {}
    for key, _, _ in TOP_FIELDS:
        flat[key] = fields.get(key)
    members = fields.get("members") or []
    for i in range(1, member_groups + 1):
        member = members[i - 1] if i <= len(members) and isinstance(members[i - 1], dict) else {}
        for key in MEMBER_KEYS:
            flat[f"members.{i}.{key}"] = member.get(key)
    return flat


def unflatten_fields(flat: dict[str, object], member_groups: int) -> dict[str, object]:
    """{field path: value} → canonical fields in README order; empty member rows dropped."""
    members = []
    for i in range(1, member_groups + 1):
        member = {key: flat.get(f"members.{i}.{key}") for key in MEMBER_KEYS}
        if any(member[k] not in (None, "") for k in ("name", "relation", "birth_date")) or member["opt_out"]:
            if member["opt_out"] is None:
                member["opt_out"] = False
            members.append(member)
    out: dict[str, object] = {}
    for key in CANONICAL_ORDER:
        out[key] = members if key == "members" else flat.get(key)
    return out


def member_count(fields: dict) -> int:
    members = fields.get("members") or []
    return len(members) if isinstance(members, list) else 0
