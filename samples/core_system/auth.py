"""Login, logout, menu; session timeout, lockout after repeated failures, CSRF tokens."""

from __future__ import annotations

import hmac
import secrets
import threading
import time

from flask import Blueprint, Flask, flash, jsonify, redirect, render_template, request, session, url_for

from samples.core_system.config import CoreConfig

bp = Blueprint("auth", __name__)

MSG_BAD_LOGIN = "ユーザーIDまたはパスワードが正しくありません"
MSG_LOCKED = "アカウントがロックされました。しばらくしてから再度お試しください"
MSG_TIMEOUT = "セッションの有効期限が切れました。再度ログインしてください"
MSG_CSRF = "画面の有効期限が切れたか、不正な送信です。画面を開き直してください。"

_PUBLIC_ENDPOINTS = {"auth.login", "auth.logout", "static"}
_PUBLIC_PREFIXES = ("/__inspect/",)


class Lockout:
    """Failed logins per user id; locked for ``seconds`` after ``limit`` failures (in memory)."""

    def __init__(self, limit: int, seconds: int):
        self.limit, self.seconds = limit, seconds
        self.failures: dict[str, int] = {}
        self.locked_until: dict[str, float] = {}
        self.lock = threading.Lock()

    def is_locked(self, user: str) -> bool:
        with self.lock:
            until = self.locked_until.get(user)
            if until is None:
                return False
            if time.monotonic() >= until:
                del self.locked_until[user]
                self.failures.pop(user, None)
                return False
            return True

    def fail(self, user: str) -> bool:
        """Count a failure; True when the account is now locked."""
        with self.lock:
            count = self.failures.get(user, 0) + 1
            self.failures[user] = count
            if count >= self.limit:
                self.locked_until[user] = time.monotonic() + self.seconds
                return True
            return False

    def succeed(self, user: str) -> None:
        with self.lock:
            self.failures.pop(user, None)


def new_csrf() -> str:
    session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.endswith("/status")


def install(app: Flask, config: CoreConfig) -> None:
    app.extensions["core_lockout"] = Lockout(config.max_failures, config.lockout_seconds)

    @app.before_request
    def _check_session():
        if request.endpoint in _PUBLIC_ENDPOINTS or request.path.startswith(_PUBLIC_PREFIXES):
            if request.endpoint != "static":
                session.setdefault("csrf", secrets.token_urlsafe(24))
            return _check_csrf()
        now = time.time()
        user = session.get("user")
        if user and now - session.get("last_seen", 0) > config.session_timeout:
            session.clear()
            flash(MSG_TIMEOUT, "warning")  # shown by /login, also after the dialog's redirect
            if _wants_json():
                return jsonify(error="session_expired", message=MSG_TIMEOUT), 401
            return redirect(url_for("auth.login"))
        if not user:
            if _wants_json():
                return jsonify(error="login_required", message="ログインしてください"), 401
            return redirect(url_for("auth.login", next=request.full_path
                                    if request.method == "GET" else None))
        session["last_seen"] = now
        return _check_csrf()


def _check_csrf():
    if request.method != "POST":
        return None
    sent = request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent, expected):
        return render_template("error.html", status=400, title="不正な送信",
                               message=MSG_CSRF), 400
    return None


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") \
            and not target.startswith("/login"):
        return target
    return url_for("auth.menu")


@bp.route("/")
def index():
    return redirect(url_for("auth.menu"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    from flask import current_app

    config: CoreConfig = current_app.config["CORE"]
    lockout: Lockout = current_app.extensions["core_lockout"]
    error = None
    user_id = ""
    if request.method == "POST":
        user_id = request.form.get("user_id", "").strip()
        password = request.form.get("password", "")
        if lockout.is_locked(user_id):
            error = MSG_LOCKED
        elif hmac.compare_digest(user_id, config.user) and hmac.compare_digest(password,
                                                                                config.password):
            lockout.succeed(user_id)
            target = _safe_next(request.form.get("next"))
            session.clear()
            session["user"] = user_id
            session["last_seen"] = time.time()
            new_csrf()
            return redirect(target)
        else:
            error = MSG_LOCKED if lockout.fail(user_id) else MSG_BAD_LOGIN
    elif session.get("user"):
        return redirect(url_for("auth.menu"))
    return render_template("login.html", error=error, user_id=user_id,
                           next=request.values.get("next", ""))


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    session.clear()
    flash("ログアウトしました", "info")
    return redirect(url_for("auth.login"))


@bp.route("/menu")
def menu():
    return render_template("menu.html")
