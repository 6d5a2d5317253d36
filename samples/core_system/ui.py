"""Template helpers: element ids and CSS classes (random per request with ``--random-ids``).

Templates never write an id or a class literally: ``uid("bank_code")`` and ``cls("error")``
return ``bank_code`` / ``error`` normally, and ASP.NET-like random names
(``ctl07_x3f9a2``) that change on every request with ``--random-ids``. A ``<label for>``
uses the same ``uid(...)`` call, so label locators keep working; the page's script gets
the mapping through ``window.CORE_IDS``.
"""

from __future__ import annotations

import secrets

from flask import Flask, current_app, g, session

from samples.core_system.config import CoreConfig


def _random_name(prefix: str) -> str:
    return f"{prefix}{secrets.randbelow(90) + 10}_{secrets.token_hex(3)}"


def _random_mode() -> bool:
    return current_app.config["CORE"].random_ids


def uid(name: str) -> str:
    ids = g.setdefault("ids", {})
    if name not in ids:
        ids[name] = _random_name("ctl") if _random_mode() else name
    return ids[name]


def cls(name: str) -> str:
    classes = g.setdefault("classes", {})
    if name not in classes:
        classes[name] = _random_name("c") if _random_mode() else name
    return classes[name]


def install(app: Flask, config: CoreConfig) -> None:
    @app.context_processor
    def _helpers():
        return {
            "uid": uid,
            "cls": cls,
            "ids_map": lambda: dict(g.get("ids", {})),
            "csrf_token": session.get("csrf", ""),
            "current_user": session.get("user"),
            "show_notice": g.get("show_notice", False),
            "system_name": "坂戸市 総合行政システム（見本）",
        }
