"""Logging set-up: every handler gets the redacting filter."""

from __future__ import annotations

import logging

from rich.logging import RichHandler

from yomikaki.redaction import RedactingFilter

_configured = False


def setup_logging(level: str = "INFO") -> None:
    global _configured
    root = logging.getLogger()
    if not _configured:
        handler = RichHandler(show_path=False, rich_tracebacks=False, markup=False)
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
        _configured = True
    root.setLevel(level.upper())
    for noisy in ("apscheduler.executors.default", "werkzeug", "urllib3", "PIL", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def add_redacting_filter(handler: logging.Handler) -> logging.Handler:
    handler.addFilter(RedactingFilter())
    return handler
