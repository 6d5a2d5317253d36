"""JSON endpoints: the bank search dialog's API, and read-only /__inspect (with --inspect)."""

from __future__ import annotations

import json

from flask import Blueprint, abort, jsonify, request

from samples.core_system import banks
from samples.core_system import db as core_db
from samples.core_system.app import get_db

bp = Blueprint("api", __name__, url_prefix="/api")
inspect_bp = Blueprint("inspect", __name__, url_prefix="/__inspect")

BANK_LIMIT = 50
BRANCH_LIMIT = 100


@bp.route("/banks")
def bank_search():
    results = banks.search_banks(request.args.get("q", ""), limit=BANK_LIMIT + 1)
    return jsonify(results=[e.as_json() for e in results[:BANK_LIMIT]],
                   truncated=len(results) > BANK_LIMIT)


@bp.route("/banks/<code>/branches")
def branch_search(code: str):
    if banks.bank(code) is None:
        abort(404)
    results = banks.search_branches(code, request.args.get("q", ""), limit=BRANCH_LIMIT + 1)
    return jsonify(results=[e.as_json() for e in results[:BRANCH_LIMIT]],
                   truncated=len(results) > BRANCH_LIMIT)


@inspect_bp.route("/households")
def inspect_households():
    conn = get_db()
    rows = conn.execute("SELECT * FROM households ORDER BY household_no").fetchall()
    return jsonify([core_db.household_dict(conn, row) for row in rows])


APPLICATION_KEYS = ("receipt_no", "application_id", "application_date", "phone", "bank_code",
                    "bank_name", "branch_code", "branch_name", "account_type", "account_number",
                    "yucho_symbol", "yucho_number", "account_holder_kana", "opt_out_members",
                    "registered_at")


def application_dict(row) -> dict:
    data = {key: row[key] for key in APPLICATION_KEYS}
    data["opt_out_members"] = json.loads(row["opt_out_members"])
    return data


@inspect_bp.route("/applications")
def inspect_applications():
    rows = get_db().execute(
        "SELECT * FROM applications WHERE receipt_no IS NOT NULL ORDER BY id").fetchall()
    return jsonify([application_dict(row) for row in rows])
