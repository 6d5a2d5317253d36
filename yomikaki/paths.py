"""Private files and folders: evidence and outputs may hold personal data."""

from __future__ import annotations

import os
from pathlib import Path


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) with mode 0700 on the leaf; return it."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def private_file(path: Path) -> Path:
    """Make an existing file readable by its owner only (0600)."""
    os.chmod(path, 0o600)
    return path


def write_private(path: Path, data: bytes | str) -> Path:
    """Write a file created with 0600 from the start (no window where others can read it)."""
    private_dir(path.parent)
    mode = "wb" if isinstance(data, bytes) else "w"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    kwargs = {} if isinstance(data, bytes) else {"encoding": "utf-8"}
    with os.fdopen(fd, mode, **kwargs) as fh:
        fh.write(data)
    os.chmod(path, 0o600)
    return path


def replace_private(path: Path, write) -> Path:
    """Write ``path`` atomically with mode 0600: ``write(tmp_path)`` fills a temporary file
    beside it, which then replaces ``path`` — a crash never leaves a half-written file."""
    import secrets

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(3)}.tmp")
    try:
        write(tmp)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
