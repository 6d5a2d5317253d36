"""Secrets: environment variable ``NAME`` → ``.env`` (0600) in the working directory → OS keyring.

Every value found is registered with ``yomikaki.redaction`` so it never reaches a log, a
result or an evidence file. A missing secret stops the run before the browser starts.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from yomikaki.errors import ConfigError
from yomikaki.redaction import register_secret

KEYRING_SERVICE = "yomikaki"


def _from_dotenv(name: str, directory: Path) -> str | None:
    path = directory / ".env"
    if not path.is_file():
        return None
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigError(
            f".env ファイル ({path}) が他の利用者から読めます (権限 {oct(mode)})",
            hint=f"chmod 600 {path} を実行してください",
        )
    from dotenv import dotenv_values

    return dotenv_values(path).get(name) or None


def _from_keyring(name: str) -> str | None:
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, name)
    except Exception:  # noqa: BLE001 - no keyring backend on a server is normal
        return None


def get_secret(name: str, directory: Path | None = None) -> str | None:
    value = os.environ.get(name) or _from_dotenv(name, directory or Path.cwd()) or _from_keyring(name)
    if value:
        register_secret(value)
    return value


def resolve_secrets(names: list[str], directory: Path | None = None) -> dict[str, str]:
    """All the secrets a scenario needs, or a ``ConfigError`` naming each missing one."""
    found: dict[str, str] = {}
    missing = []
    for name in names:
        value = get_secret(name, directory)
        if value is None:
            missing.append(name)
        else:
            found[name] = value
    if missing:
        raise ConfigError(
            f"秘密情報が設定されていません: {', '.join(missing)}",
            hint="環境変数、作業フォルダーの .env（権限 600）、または "
            f"`keyring set {KEYRING_SERVICE} {missing[0]}` で設定してください",
        )
    return found
