"""税務 年次処理: a batch that runs a few seconds in the background, a polling progress page,
and the result file (CSV, CP932) to download when it is done."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import threading
import time
from pathlib import Path

from flask import Blueprint, abort, jsonify, redirect, render_template, request, send_file, session, url_for

from samples.core_system import db as core_db
from samples.core_system.app import current_config, get_db
from samples.core_system.config import CoreConfig
from yomikaki.exports import neutralise_csv

bp = Blueprint("tax", __name__, url_prefix="/tax")

FISCAL_YEARS = {2024: "令和6年度", 2025: "令和7年度", 2026: "令和8年度"}
KINDS = {
    "special": "特別徴収税額通知 一括作成",
    "ordinary": "普通徴収 納税通知書 一括作成",
    "ledger": "課税台帳 年次更新",
}
STEPS = 20


def _tax_amount(resident_no: str, fiscal_year: int) -> int | None:
    """A deterministic fake annual 個人住民税 (yen), or None when not taxed."""
    digest = int(hashlib.sha256(f"{resident_no}-{fiscal_year}".encode()).hexdigest()[:8], 16)
    if digest % 10 < 4:
        return None
    return (digest // 10 % 380 + 20) * 1000 + digest % 7 * 100


def _result_rows(conn, fiscal_year: int):
    cutoff = dt.date(fiscal_year - 20, 4, 1).isoformat()
    rows = conn.execute(
        "SELECT r.resident_no, r.name, r.kana, h.address FROM residents r"
        " JOIN households h USING (household_no) WHERE r.birth_date < ? ORDER BY r.resident_no",
        (cutoff,)).fetchall()
    for row in rows:
        amount = _tax_amount(row["resident_no"], fiscal_year)
        if amount is None:
            continue
        monthly = amount // 1200 * 100
        first = amount - monthly * 11
        yield [row["resident_no"], row["name"], row["kana"], row["address"], amount, first, monthly]


def _write_result(conn, path: Path, fiscal_year: int, kind: str) -> int:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([f"{FISCAL_YEARS[fiscal_year]} {KINDS[kind]}"])
    writer.writerow(["宛名番号", "氏名", "カナ氏名", "住所", "年税額", "6月分", "7月分以降（月額）"])
    count = 0
    for row in _result_rows(conn, fiscal_year):
        writer.writerow([neutralise_csv(v) for v in row])
        count += 1
    path.write_bytes(buffer.getvalue().encode("cp932", errors="replace"))
    return count


def _run_job(config: CoreConfig, job_id: int, fiscal_year: int, kind: str) -> None:
    conn = core_db.connect(config.db)
    try:
        total = conn.execute("SELECT count(*) FROM residents").fetchone()[0]
        conn.execute("UPDATE tax_jobs SET total = ? WHERE id = ?", (total, job_id))
        for step in range(1, STEPS + 1):
            time.sleep(config.tax_seconds / STEPS)
            conn.execute("UPDATE tax_jobs SET progress = ? WHERE id = ?",
                         (total * step // STEPS, job_id))
        path = config.results_dir / f"tax_{job_id:04d}_{fiscal_year}_{kind}.csv"
        _write_result(conn, path, fiscal_year, kind)
        conn.execute("UPDATE tax_jobs SET status = 'done', result_file = ?, finished_at = ?"
                     " WHERE id = ?", (path.name, core_db.now().isoformat(), job_id))
    except Exception:  # the job page shows the failure; the server keeps running
        conn.execute("UPDATE tax_jobs SET status = 'failed', finished_at = ? WHERE id = ?",
                     (core_db.now().isoformat(), job_id))
        raise
    finally:
        conn.close()


@bp.route("/annual", methods=["GET", "POST"])
def annual():
    errors: dict[str, str] = {}
    values = {"fiscal_year": str(max(FISCAL_YEARS)), "kind": "special"}
    if request.method == "POST":
        values = {"fiscal_year": request.form.get("fiscal_year", ""),
                  "kind": request.form.get("kind", "")}
        if not values["fiscal_year"].isdigit() or int(values["fiscal_year"]) not in FISCAL_YEARS:
            errors["fiscal_year"] = "年度を選択してください"
        if values["kind"] not in KINDS:
            errors["kind"] = "処理を選択してください"
        if not errors:
            config = current_config()
            fiscal_year = int(values["fiscal_year"])
            cursor = get_db().execute(
                "INSERT INTO tax_jobs (fiscal_year, kind, status, started_at, started_by)"
                " VALUES (?, ?, 'running', ?, ?)",
                (fiscal_year, values["kind"], core_db.now().isoformat(), session.get("user", "")))
            job_id = cursor.lastrowid
            threading.Thread(target=_run_job, args=(config, job_id, fiscal_year, values["kind"]),
                             name=f"tax-job-{job_id}", daemon=True).start()
            return redirect(url_for("tax.job", job_id=job_id))
    jobs = get_db().execute("SELECT * FROM tax_jobs ORDER BY id DESC LIMIT 10").fetchall()
    return render_template("tax_annual.html", values=values, errors=errors, jobs=jobs,
                           fiscal_years=FISCAL_YEARS, kinds=KINDS)


def _job_or_404(job_id: int):
    row = get_db().execute("SELECT * FROM tax_jobs WHERE id = ?", (job_id,)).fetchone()
    if row is None:
        abort(404)
    return row


def _status(row) -> dict:
    percent = 100 if row["status"] == "done" else (
        row["progress"] * 100 // row["total"] if row["total"] else 0)
    messages = {"running": f"処理中です（{row['progress']} / {row['total']} 件、{percent}%）",
                "done": "処理が完了しました", "failed": "処理に失敗しました"}
    return {"status": row["status"], "percent": percent, "processed": row["progress"],
            "total": row["total"], "message": messages.get(row["status"], row["status"]),
            "download_url": url_for("tax.download", job_id=row["id"])
            if row["status"] == "done" else None}


@bp.route("/jobs/<int:job_id>")
def job(job_id: int):
    row = _job_or_404(job_id)
    return render_template("tax_job.html", job=row, status=_status(row),
                           fiscal_years=FISCAL_YEARS, kinds=KINDS)


@bp.route("/jobs/<int:job_id>/status")
def job_status(job_id: int):
    return jsonify(_status(_job_or_404(job_id)))


@bp.route("/jobs/<int:job_id>/download")
def download(job_id: int):
    row = _job_or_404(job_id)
    if row["status"] != "done":
        abort(409)
    path = current_config().results_dir / row["result_file"]
    name = f"{KINDS[row['kind']].replace(' ', '_')}_{row['fiscal_year']}.csv"
    return send_file(path, mimetype="text/csv", as_attachment=True, download_name=name)
