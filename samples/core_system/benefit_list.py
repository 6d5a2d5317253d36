"""給付 申請一覧: filters by 登録日 and 申請書番号, pagination, CSV download in CP932."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re

from flask import Blueprint, Response, render_template, request

from samples.core_system import db as core_db
from samples.core_system.app import current_config, get_db
from yomikaki.exports import neutralise_csv
from yomikaki.redaction import mask_account

bp = Blueprint("benefit_list", __name__, url_prefix="/benefit")

CSV_HEADER = ["受付番号", "申請書番号", "世帯主氏名", "申請日", "登録日時", "金融機関コード",
              "金融機関名", "支店コード", "支店名", "預金種別", "口座番号", "記号", "番号",
              "口座名義カナ", "受給を希望しない世帯員"]

_SELECT = (
    "SELECT a.*, (SELECT name FROM residents r WHERE r.household_no = h.household_no"
    " ORDER BY position LIMIT 1) AS head_name"
    " FROM applications a JOIN households h ON h.application_id = a.application_id"
)


def _filters() -> tuple[dict, dict, str, list]:
    values = {k: request.args.get(k, "").strip() for k in ("date_from", "date_to", "application_id")}
    errors: dict[str, str] = {}
    where, params = ["a.receipt_no IS NOT NULL"], []
    for key, op, message in (("date_from", ">=", "登録日（開始）を YYYY-MM-DD で入力してください"),
                             ("date_to", "<=", "登録日（終了）を YYYY-MM-DD で入力してください")):
        if values[key]:
            try:
                day = dt.date.fromisoformat(values[key])
            except ValueError:
                errors[key] = message
                continue
            where.append(f"substr(a.registered_at, 1, 10) {op} ?")
            params.append(day.isoformat())
    if values["application_id"]:
        if not re.fullmatch(r"\d{1,10}", values["application_id"]):
            errors["application_id"] = "申請書番号は数字で入力してください"
        else:
            where.append("a.application_id LIKE ?")
            params.append(values["application_id"] + "%")
    return values, errors, " AND ".join(where), params


@bp.route("/list")
def listing():
    values, errors, where, params = _filters()
    rows, total, page, pages = [], 0, 1, 1
    if not errors:
        conn = get_db()
        total = conn.execute(f"SELECT count(*) FROM applications a WHERE {where}", params).fetchone()[0]
        size = current_config().page_size
        pages = max(1, math.ceil(total / size))
        page = min(max(1, request.args.get("page", 1, type=int) or 1), pages)
        rows = conn.execute(f"{_SELECT} WHERE {where} ORDER BY a.id DESC LIMIT ? OFFSET ?",
                            [*params, size, (page - 1) * size]).fetchall()
    return render_template("benefit_list.html", values=values, errors=errors, rows=rows,
                           total=total, page=page, pages=pages, mask=mask_account)


def csv_bytes(rows) -> bytes:
    """The 申請一覧 CSV in CP932 (Shift_JIS, as Japanese core systems export), CRLF lines."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow([neutralise_csv(v) for v in (
            row["receipt_no"], row["application_id"], row["head_name"], row["application_date"],
            row["registered_at"][:19].replace("T", " "), row["bank_code"], row["bank_name"],
            row["branch_code"], row["branch_name"], row["account_type"], row["account_number"],
            row["yucho_symbol"], row["yucho_number"], row["account_holder_kana"],
            "、".join(json.loads(row["opt_out_members"])),
        )])
    return buffer.getvalue().encode("cp932", errors="replace")


@bp.route("/list/csv")
def listing_csv():
    values, errors, where, params = _filters()
    if errors:
        return listing()
    rows = get_db().execute(f"{_SELECT} WHERE {where} ORDER BY a.id", params).fetchall()
    filename = f"applications_{core_db.now():%Y%m%d}.csv"
    return Response(csv_bytes(rows), mimetype="text/csv",
                    headers={"Content-Type": "text/csv; charset=Shift_JIS",
                             "Content-Disposition": f'attachment; filename="{filename}"'})
