"""住民記録: 宛名検索 (resident search) and 世帯詳細 (household detail)."""

from __future__ import annotations

import datetime as dt
import math
import re

from flask import Blueprint, abort, render_template, request

from samples.core_system import db as core_db
from samples.core_system.app import current_config, get_db

bp = Blueprint("residents", __name__, url_prefix="/residents")


def fold_kana(text: str) -> str:
    """カナ氏名 for a partial match: NFKC (half-width kana → full), hiragana → katakana, no spaces."""
    import unicodedata

    import jaconv

    return "".join(jaconv.hira2kata(unicodedata.normalize("NFKC", text)).split())


def _criteria() -> tuple[dict, dict]:
    values = {k: request.args.get(k, "").strip() for k in ("resident_no", "kana", "birth_date")}
    errors = {}
    if values["resident_no"] and not re.fullmatch(r"\d{1,9}", values["resident_no"]):
        errors["resident_no"] = "宛名番号は数字で入力してください"
    if values["birth_date"]:
        try:
            dt.date.fromisoformat(values["birth_date"])
        except ValueError:
            errors["birth_date"] = "生年月日は YYYY-MM-DD で入力してください"
    return values, errors


@bp.route("/search")
def search():
    values, errors = _criteria()
    searched = "searched" in request.args
    results, total, page, pages = [], 0, 1, 1
    if searched and not errors and not any(values.values()):
        errors["form"] = "検索条件を1つ以上入力してください"
    if searched and not errors:
        where, params = [], []
        if values["resident_no"]:
            where.append("r.resident_no = ?")
            params.append(values["resident_no"])
        if values["kana"]:
            where.append("replace(r.kana, '　', '') LIKE ?")
            params.append("%" + fold_kana(values["kana"]) + "%")
        if values["birth_date"]:
            where.append("r.birth_date = ?")
            params.append(values["birth_date"])
        sql_where = " AND ".join(where)
        conn = get_db()
        total = conn.execute(f"SELECT count(*) FROM residents r WHERE {sql_where}", params).fetchone()[0]
        size = current_config().page_size
        pages = max(1, math.ceil(total / size))
        page = min(max(1, request.args.get("page", 1, type=int) or 1), pages)
        results = conn.execute(
            f"SELECT r.*, h.address FROM residents r JOIN households h USING (household_no)"
            f" WHERE {sql_where} ORDER BY r.kana, r.resident_no LIMIT ? OFFSET ?",
            [*params, size, (page - 1) * size],
        ).fetchall()
    return render_template("residents_search.html", values=values, errors=errors,
                           searched=searched, results=results, total=total, page=page, pages=pages)


@bp.route("/households/<household_no>")
def household(household_no: str):
    conn = get_db()
    row = core_db.household_by_no(conn, household_no)
    if row is None:
        abort(404)
    members = core_db.members_of(conn, household_no)
    application = core_db.application_for(conn, row["application_id"])
    return render_template("household.html", household=row, members=members,
                           application=application)
