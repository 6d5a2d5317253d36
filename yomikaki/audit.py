"""Audit log: who did what to which data, for the IT section. Values are redacted."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from yomikaki.db import Base, session_scope
from yomikaki.redaction import redact
from yomikaki.settings import Settings


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(80), index=True)
    subject: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)


def current_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def record(action: str, subject: str = "", settings: Settings | None = None, **details) -> None:
    safe = json.loads(redact(json.dumps(details, ensure_ascii=False, default=str)))
    with session_scope(settings) as session:
        session.add(
            AuditEvent(
                at=datetime.now(UTC),
                actor=current_actor(),
                action=action,
                subject=redact(subject),
                details=safe,
            )
        )


def recent(limit: int = 100, settings: Settings | None = None) -> list[AuditEvent]:
    with session_scope(settings) as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)).all()
        return list(rows)
