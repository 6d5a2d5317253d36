"""Alerts: a missed run, a job error, a run with failed items, a run cut off at shutdown.

Each alert is stored (shown by ``yomikaki schedule status``), logged, and e-mailed when
``[smtp] host`` is configured. Sending mail never breaks the scheduler.
"""

from __future__ import annotations

import logging
import os
import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage

from sqlalchemy import Boolean, DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from yomikaki.db import Base, session_scope
from yomikaki.redaction import redact, register_secret
from yomikaki.settings import Settings, get_settings

log = logging.getLogger("yomikaki.scheduler.alerts")

KINDS = {
    "missed": "実行漏れ",
    "error": "ジョブのエラー",
    "failed_items": "失敗した件あり",
    "interrupted": "停止により中断",
}


class Alert(Base):
    __tablename__ = "scheduler_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    job_id: Mapped[str] = mapped_column(String(120), index=True)
    scheduled_for: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    message: Mapped[str] = mapped_column(Text)
    emailed: Mapped[bool] = mapped_column(Boolean, default=False)


def raise_alert(
    kind: str,
    job_id: str,
    message: str,
    *,
    scheduled_for: datetime | None = None,
    settings: Settings | None = None,
) -> int:
    settings = settings or get_settings()
    message = redact(message)
    label = KINDS.get(kind, kind)
    log.warning("警告 [%s] %s: %s", label, job_id, message)
    emailed = _send_mail(settings, f"[yomikaki] {label}: {job_id}", f"{label}\nジョブ: {job_id}\n\n{message}")
    with session_scope(settings) as session:
        row = Alert(at=datetime.now(UTC), kind=kind, job_id=job_id, scheduled_for=scheduled_for,
                    message=message, emailed=emailed)
        session.add(row)
        session.flush()
        return row.id


def recent_alerts(limit: int = 20, settings: Settings | None = None,
                  job_id: str | None = None) -> list[Alert]:
    with session_scope(settings) as session:
        query = select(Alert).order_by(Alert.id.desc()).limit(limit)
        if job_id:
            query = query.where(Alert.job_id == job_id)
        return list(session.scalars(query))


def _smtp_password(settings: Settings) -> str | None:
    name = settings.smtp.password_secret
    if not name:
        return None
    value = os.environ.get(name)
    if value is None:
        try:
            import keyring

            value = keyring.get_password("yomikaki", name)
        except Exception:  # no keyring backend on a server
            value = None
    if value:
        register_secret(value)
    return value


def _send_mail(settings: Settings, subject: str, body: str) -> bool:
    smtp = settings.smtp
    if not smtp.host or not smtp.recipients:
        return False
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = smtp.sender
    message["To"] = ", ".join(smtp.recipients)
    message.set_content(body)
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=15) as client:
            if smtp.starttls:
                client.starttls()
            password = _smtp_password(settings)
            if smtp.username and password:
                client.login(smtp.username, password)
            client.send_message(message)
        return True
    except (OSError, smtplib.SMTPException) as exc:
        log.error("警告メールを送れませんでした (%s:%s): %s", smtp.host, smtp.port, exc)
        return False
