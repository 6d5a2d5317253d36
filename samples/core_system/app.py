"""Flask application factory of the sample core system.

Request pipeline (in this order): fault injection (delay, HTTP 500 before/after the view,
random ids) → session timeout and login check → CSRF check → the view. Blueprints:
auth (login/menu), residents (宛名検索), benefit (申請登録/申請一覧), tax (年次処理),
api (bank search JSON, /__inspect).
"""

from __future__ import annotations

import os
import sqlite3

from flask import Flask, g, render_template

from samples.core_system import db as core_db
from samples.core_system.config import CoreConfig


def get_db() -> sqlite3.Connection:
    """The request's database connection (closed at the end of the request)."""
    if "db" not in g:
        g.db = core_db.connect(current_config().db)
    return g.db


def current_config() -> CoreConfig:
    from flask import current_app

    return current_app.config["CORE"]


def create_app(config: CoreConfig) -> Flask:
    from samples.core_system import api, auth, benefit, benefit_list, faults, residents, tax, ui

    core_db.init_db(config.db, seed=config.seed, households=config.households)
    config.results_dir.mkdir(parents=True, exist_ok=True)

    app = Flask(__name__, template_folder="templates", static_folder="static")
    app.config.update(
        CORE=config,
        SECRET_KEY=os.urandom(32),
        SESSION_COOKIE_NAME="core_session",
        SESSION_COOKIE_SAMESITE="Lax",
        JSON_AS_ASCII=False,
        TEMPLATES_AUTO_RELOAD=False,
        SEND_FILE_MAX_AGE_DEFAULT=600,  # css/js cached for 10 minutes, as a production web server would
    )
    app.json.ensure_ascii = False

    faults.install(app, config)
    auth.install(app, config)
    ui.install(app, config)

    app.register_blueprint(auth.bp)
    app.register_blueprint(residents.bp)
    app.register_blueprint(benefit.bp)
    app.register_blueprint(benefit_list.bp)
    app.register_blueprint(tax.bp)
    app.register_blueprint(api.bp)
    if config.inspect:
        app.register_blueprint(api.inspect_bp)

    @app.errorhandler(404)
    def _not_found(_exc):
        return render_template("error.html", status=404, title="ページが見つかりません",
                               message="指定されたページは存在しません。"), 404

    @app.errorhandler(405)
    def _not_allowed(_exc):
        return render_template("error.html", status=405, title="操作できません",
                               message="この画面ではその操作はできません。"), 405

    @app.errorhandler(409)
    def _conflict(_exc):
        return render_template("error.html", status=409, title="処理中です",
                               message="処理が完了していません。完了してから操作してください。"), 409

    @app.errorhandler(500)
    def _server_error(_exc):
        return render_template("error.html", status=500, title="システムエラー",
                               message="システムエラーが発生しました。しばらくしてから再度お試しください。"), 500

    @app.teardown_appcontext
    def _close_db(_exc) -> None:
        conn = g.pop("db", None)
        if conn is not None:
            conn.close()

    return app
