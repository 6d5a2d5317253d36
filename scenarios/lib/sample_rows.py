"""Confirmed rows (canonical keys of the benefit-application form) for the sample core system.

The OCR review import writes such rows; for demos, tests and benchmarks we build them from the
sample system's own households (``/__inspect/households``) so that every row can be registered::

    python -m scenarios.lib.sample_rows http://127.0.0.1:8765 50 rows.jsonl
"""

from __future__ import annotations

import json
import random
import sys
import urllib.request
from pathlib import Path

# (bank_kind, bank_name, branch_kind, branch_name): all present in the zengin-code master.
ACCOUNTS = [
    ("銀行", "埼玉りそな", "支店", "坂戸"),
    ("銀行", "武蔵野", "支店", "坂戸"),
    ("銀行", "武蔵野", "本店", None),
    ("信用金庫", "埼玉縣", "支店", "坂戸"),
    ("農協", "いるま野", "支店", "坂戸"),
    ("労働金庫", "中央", "支店", "川越"),
    ("銀行", "三菱UFJ", "支店", "川越"),
    ("銀行", "三井住友", "支店", "川越"),
]


def fetch_households(core_url: str) -> list[dict]:
    with urllib.request.urlopen(core_url.rstrip("/") + "/__inspect/households", timeout=30) as resp:
        return json.loads(resp.read().decode("utf-8"))


def confirmed_row(household: dict, rng: random.Random) -> dict:
    members = household["members"]
    head = members[0]
    row = {
        "application_id": household["application_id"],
        "household_head_name": head["name"],
        "household_head_kana": head["kana"],
        "household_head_birth_date": head["birth_date"],
        "postal_code": household["postal_code"],
        "address": household["address"],
        "members": [{"name": m["name"], "relation": m["relation"], "birth_date": m["birth_date"],
                     "opt_out": i > 0 and rng.random() < 0.15} for i, m in enumerate(members)],
        "application_date": f"2026-07-{rng.randint(1, 28):02d}",
        "phone": f"{rng.choice(['090', '080'])}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
        "bank_kind": None, "bank_name": None, "branch_kind": None, "branch_name": None,
        "account_type": None, "account_number": None, "yucho_symbol": None, "yucho_number": None,
        "account_holder_kana": head["kana"],
        "applicant_signature": head["name"],
        "seal_present": rng.random() < 0.7,
    }
    if rng.random() < 0.4:
        row["phone"] = f"049-283-{rng.randint(1000, 9999)}"
    if rng.random() < 0.15:
        row["yucho_symbol"] = f"1{rng.randint(0, 9999):04d}"
        row["yucho_number"] = f"{rng.randint(0, 99999999):08d}"
    else:
        kind, name, branch_kind, branch = rng.choice(ACCOUNTS)
        row.update(bank_kind=kind, bank_name=name, branch_kind=branch_kind, branch_name=branch,
                   account_type=rng.choice(["普通", "普通", "普通", "当座"]),
                   account_number=f"{rng.randint(0, 9999999):07d}")
    return row


def confirmed_rows(households: list[dict], count: int, seed: int = 7, offset: int = 0) -> list[dict]:
    rng = random.Random(seed)
    chosen = households[offset:offset + count]
    return [confirmed_row(h, rng) for h in chosen]


def write_jsonl(rows: list[dict], path: Path) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def flat_columns(rows: list[dict]) -> tuple[list[str], list[dict]]:
    from robots.inputs import flatten

    flat = [flatten(r) for r in rows]
    columns: list[str] = []
    for record in flat:
        for key in record:
            if key not in columns:
                columns.append(key)
    return columns, flat


def write_csv(rows: list[dict], path: Path, encoding: str = "utf-8-sig") -> Path:
    from yomikaki.exports import write_csv as safe_csv

    columns, flat = flat_columns(rows)
    values = [["" if r.get(c) is None else ("TRUE" if r.get(c) is True else "FALSE" if r.get(c) is False
                                            else r.get(c)) for c in columns] for r in flat]
    return safe_csv(path, columns, values, encoding=encoding)


def write_xlsx(rows: list[dict], path: Path, sheet: str = "確認済み") -> Path:
    from openpyxl import Workbook

    from yomikaki.exports import set_cell_text

    columns, flat = flat_columns(rows)
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for c, name in enumerate(columns, start=1):
        set_cell_text(ws.cell(row=1, column=c), name)
    for r, record in enumerate(flat, start=2):
        for c, name in enumerate(columns, start=1):
            set_cell_text(ws.cell(row=r, column=c), record.get(name))
    book.save(path)
    return path


if __name__ == "__main__":  # python -m scenarios.lib.sample_rows URL COUNT OUT.jsonl
    url, count, out = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    rows = confirmed_rows(fetch_households(url), count)
    {".csv": write_csv, ".xlsx": write_xlsx}.get(out.suffix, write_jsonl)(rows, out)
    print(f"{len(rows)} rows → {out}")
