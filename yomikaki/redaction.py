"""Masking of personal data and secrets before anything reaches a log or a file.

- ``register_secret(value)``: every later ``redact()`` replaces it with ``****``.
- My Number (12 digits, with or without separators) → ``********1234`` style.
- Account numbers (7–8 digits standing alone) → all but the last 3 digits masked.
- ``RedactingFilter`` applies ``redact`` to every log record.
"""

from __future__ import annotations

import logging
import re
import threading

_lock = threading.Lock()
_secrets: set[str] = set()

# 12 digits, optionally grouped 4-4-4 by spaces or hyphens, not inside a longer digit run.
_MY_NUMBER = re.compile(r"(?<![0-9０-９])([0-9]{4})[- ]?([0-9]{4})[- ]?([0-9]{4})(?![0-9０-９])")
# 7 or 8 digits standing alone (bank account / ゆうちょ number).
_ACCOUNT = re.compile(r"(?<![0-9０-９\-])([0-9]{7,8})(?![0-9０-９\-])")


def register_secret(value: str | None) -> None:
    if value and len(value) >= 3:
        with _lock:
            _secrets.add(value)


def clear_secrets() -> None:
    with _lock:
        _secrets.clear()


def mask_digits(value: str, keep: int = 3) -> str:
    digits = str(value)
    if len(digits) <= keep:
        return "*" * len(digits)
    return "*" * (len(digits) - keep) + digits[-keep:]


def mask_account(value: str | None) -> str:
    return "" if value is None else mask_digits(str(value), 3)


def mask_my_number(value: str | None) -> str:
    return "" if value is None else mask_digits(re.sub(r"\D", "", str(value)), 4)


def redact(text: str) -> str:
    if not text:
        return text
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, "****")
    text = _MY_NUMBER.sub(lambda m: "********" + m.group(3), text)
    text = _ACCOUNT.sub(lambda m: mask_digits(m.group(1), 3), text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not kill logging
            return True
        record.msg = redact(message)
        record.args = ()
        return True
