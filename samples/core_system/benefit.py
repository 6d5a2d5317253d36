"""給付 申請登録: 申請書番号 → 入力 → 確認 → 登録 (JS confirm) → 完了 (受付番号).

A 申請書番号 can be registered once: checked on every step and enforced by the UNIQUE
constraint on ``applications.application_id``, so two concurrent submits cannot both win.
"""

from __future__ import annotations

import json
import secrets
import sqlite3

from flask import Blueprint, abort, redirect, render_template, request, session, url_for

from samples.core_system import db as core_db
from samples.core_system.app import get_db
from samples.core_system.benefit_form import (
    MSG_DUPLICATE,
    MSG_ID_UNKNOWN,
    check_application_id,
    normalise_application_id,
    validate,
)

bp = Blueprint("benefit", __name__, url_prefix="/benefit")


def _duplicate_message(application: sqlite3.Row) -> str:
    return f"{MSG_DUPLICATE}（受付番号 {application['receipt_no']}）"


@bp.route("/new", methods=["GET", "POST"])
def new():
    error = None
    value = ""
    if request.method == "POST":
        value = normalise_application_id(request.form.get("application_id", ""))
        error = check_application_id(value)
        if error is None:
            conn = get_db()
            household = core_db.household_by_application(conn, value)
            application = core_db.application_for(conn, value)
            if household is None:
                error = MSG_ID_UNKNOWN
            elif application is not None:
                error = _duplicate_message(application)
            else:
                return redirect(url_for("benefit.entry", application_id=value))
    return render_template("benefit_new.html", error=error, value=value)


def _household_or_404(application_id: str):
    conn = get_db()
    household = core_db.household_by_application(conn, application_id)
    if household is None:
        abort(404)
    return household, core_db.members_of(conn, household["household_no"])


def _load_draft(token: str) -> dict | None:
    row = get_db().execute("SELECT * FROM drafts WHERE token = ?", (token,)).fetchone()
    return json.loads(row["data"]) if row else None


@bp.route("/new/<application_id>", methods=["GET", "POST"])
def entry(application_id: str):
    household, members = _household_or_404(application_id)
    application = core_db.application_for(get_db(), application_id)
    if application is not None:
        return render_template("benefit_new.html", error=_duplicate_message(application),
                               value=application_id)
    errors: dict = {}
    values: dict = {"account_kind": "bank"}
    opt_out: list[str] = []
    if request.method == "POST":
        data, errors = validate(request.form, members)
        values, opt_out = data["raw"], data["opt_out"]
        if not errors:
            token = secrets.token_urlsafe(16)
            data.update(application_id=application_id)
            get_db().execute("INSERT INTO drafts VALUES (?, ?, ?, ?)",
                             (token, application_id, json.dumps(data, ensure_ascii=False),
                              core_db.now().isoformat()))
            return redirect(url_for("benefit.confirm", token=token))
    elif request.args.get("draft"):
        draft = _load_draft(request.args["draft"])
        if draft and draft["application_id"] == application_id:
            values = dict(draft["raw"])
            values.update(bank_name=draft.get("bank_name") or "",
                          branch_name=draft.get("branch_name") or "")
            opt_out = draft["opt_out"]
    if request.method == "POST" and values.get("account_kind") == "bank":
        _fill_bank_names(values)
    return render_template("benefit_entry.html", household=household, members=members,
                           values=values, errors=errors, opt_out=opt_out)


def _fill_bank_names(values: dict) -> None:
    from samples.core_system import banks

    bank = banks.bank(values.get("bank_code", ""))
    branch = banks.branch(bank.code, values.get("branch_code", "")) if bank else None
    values["bank_name"] = bank.display if bank else ""
    values["branch_name"] = branch.display if branch else ""


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    data = _load_draft(token)
    conn = get_db()
    if data is None:
        return render_template("error.html", status=404, title="登録内容が見つかりません",
                               message="この確認画面は登録済みか、有効期限が切れています。"
                               "申請登録からやり直してください。"), 404
    household, members = _household_or_404(data["application_id"])
    error = None
    if request.method == "POST":
        try:
            receipt_no = register(conn, data, session.get("user", ""))
        except sqlite3.IntegrityError:
            conn.execute("ROLLBACK")
            existing = core_db.application_for(conn, data["application_id"])
            error = _duplicate_message(existing) if existing else MSG_DUPLICATE
        else:
            return redirect(url_for("benefit.done", receipt_no=receipt_no))
    else:
        existing = core_db.application_for(conn, data["application_id"])
        if existing is not None:
            error = _duplicate_message(existing)
    return render_template("benefit_confirm.html", data=data, token=token, household=household,
                           members=members, error=error)


def register(conn: sqlite3.Connection, data: dict, user: str) -> str:
    """Insert one application atomically; returns its 受付番号. IntegrityError on a duplicate."""
    registered_at = core_db.now()
    conn.execute("BEGIN IMMEDIATE")
    cursor = conn.execute(
        "INSERT INTO applications (application_id, application_date, phone, bank_code, bank_name,"
        " branch_code, branch_name, account_type, account_number, yucho_symbol, yucho_number,"
        " account_holder_kana, opt_out_members, registered_at, registered_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (data["application_id"], data["application_date"], data["phone"], data["bank_code"],
         data["bank_name"], data["branch_code"], data["branch_name"], data["account_type"],
         data["account_number"], data["yucho_symbol"], data["yucho_number"],
         data["account_holder_kana"], json.dumps(data["opt_out_members"], ensure_ascii=False),
         registered_at.isoformat(), user),
    )
    receipt_no = f"R{registered_at.year}-{cursor.lastrowid:06d}"
    conn.execute("UPDATE applications SET receipt_no = ? WHERE id = ?",
                 (receipt_no, cursor.lastrowid))
    conn.execute("COMMIT")
    return receipt_no


@bp.route("/done/<receipt_no>")
def done(receipt_no: str):
    conn = get_db()
    application = conn.execute("SELECT * FROM applications WHERE receipt_no = ?",
                               (receipt_no,)).fetchone()
    if application is None:
        abort(404)
    household = core_db.household_by_application(conn, application["application_id"])
    head = core_db.members_of(conn, household["household_no"])[0]
    return render_template("benefit_done.html", application=application, head=head)
