"""Monthly reconciliation: the core system's 申請一覧 CSV (CP932) against the confirmed rows.

Called from ``monthly_reconciliation.yaml`` through a ``python:`` step. Writes a workbook
(Japanese headers, text cells, 0600) listing, per 申請書番号: 未登録 (confirmed but not in the
core system), 確認データなし (in the core system but not among the confirmed rows) and 相違
(a field differs). Account numbers are masked in the workbook.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path
from typing import Any

from robots.inputs import load_rows
from robots.model import InputSpec
from yomikaki.exports import set_cell_text
from yomikaki.paths import private_file
from yomikaki.redaction import mask_account

# (CSV column, confirmed-row key, masked?)
FIELDS = [
    ("申請日", "application_date", False),
    ("預金種別", "account_type", False),
    ("口座番号", "account_number", True),
    ("記号", "yucho_symbol", False),
    ("番号", "yucho_number", True),
    ("口座名義カナ", "account_holder_kana", False),
]


def _norm(value: Any) -> str:
    return "" if value in (None, False) else " ".join(unicodedata.normalize("NFKC", str(value)).split())


def read_core_csv(path: Path) -> dict[str, dict[str, str]]:
    text = Path(path).read_bytes().decode("cp932")
    return {row["申請書番号"]: row for row in csv.DictReader(io.StringIO(text, newline=""))}


def differences(core: dict[str, dict], confirmed: dict[str, dict]) -> list[tuple[str, str, str, str, str]]:
    out = []
    for app_id, row in confirmed.items():
        got = core.get(app_id)
        if got is None:
            out.append((app_id, "未登録", "", "確認済み", "なし"))
            continue
        for column, key, masked in FIELDS:
            want, have = _norm(row.get(key)), _norm(got.get(column))
            if want != have:
                show = mask_account if masked else (lambda v: v)
                out.append((app_id, "相違", column, show(want), show(have)))
        opt_out = "、".join(m["name"] for m in row.get("members") or [] if m.get("opt_out"))
        if _norm(opt_out) != _norm(got.get("受給を希望しない世帯員")):
            out.append((app_id, "相違", "受給を希望しない世帯員", opt_out, got.get("受給を希望しない世帯員", "")))
    for app_id, got in core.items():
        if app_id not in confirmed:
            out.append((app_id, "確認データなし", "受付番号", "", got.get("受付番号", "")))
    return out


def write_differences(page, item, *, csv_path: str, confirmed: str, out: str, month: str = "",
                      context=None) -> dict:
    core = read_core_csv(Path(csv_path))
    source = Path(confirmed)
    if not source.is_absolute() and not source.exists() and context is not None:
        source = context.scenario.path.parent / source  # relative to the scenario file
    spec = InputSpec(key=["application_id"], text_columns=["application_id", "account_number", "yucho_symbol",
                                                           "yucho_number"], boolean_columns=["members.*.opt_out"])
    _, rows = load_rows(source, spec)
    wanted = {r.reference: r.data for r in rows}
    diffs = differences(core, wanted)
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "差異"
    header = ["申請書番号", "区分", "項目", "確認データの値", "基幹システムの値"]
    for c, name in enumerate(header, start=1):
        set_cell_text(sheet.cell(row=1, column=c), name)
    for r, values in enumerate(diffs, start=2):
        for c, value in enumerate(values, start=1):
            set_cell_text(sheet.cell(row=r, column=c), value)
    summary = book.create_sheet("集計")
    counts = {"対象月": month, "基幹システムの件数": len(core), "確認データの件数": len(wanted),
              "未登録": sum(1 for d in diffs if d[1] == "未登録"),
              "確認データなし": sum(1 for d in diffs if d[1] == "確認データなし"),
              "相違": len({d[0] for d in diffs if d[1] == "相違"})}
    for r, (name, value) in enumerate(counts.items(), start=1):
        set_cell_text(summary.cell(row=r, column=1), name)
        set_cell_text(summary.cell(row=r, column=2), value)
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    private_file(target)
    return {**counts, "workbook": str(target)}
