"""Evidence retention: purge removes old run folders only; trace zips are scrubbed of secrets."""

from __future__ import annotations

import os
import time
import zipfile

from typer.testing import CliRunner

from robots.evidence import item_dir, purge, scrub_zip
from yomikaki.cli import app
from yomikaki.redaction import clear_secrets, register_secret


def test_robots_purge_keeps_recent_runs(isolated_data_dir):
    root = isolated_data_dir / "evidence"
    old = item_dir(root, "20260101-000000-aaaa", "1234567890")
    new = item_dir(root, "20261101-000000-bbbb", "1234567890")
    (old / "screenshot.png").write_bytes(b"png")
    (new / "screenshot.png").write_bytes(b"png")
    past = time.time() - 40 * 86400
    os.utime(old.parent, (past, past))
    assert purge(root, 30) == [old.parent]
    assert not old.exists() and new.exists()
    result = CliRunner().invoke(app, ["evidence", "purge", "--days", "0"])
    assert result.exit_code == 0 and "1 件" in result.output
    assert not new.parent.exists()


def test_robots_trace_zip_is_scrubbed(tmp_path):
    register_secret("tr4ce-secret-value")
    path = tmp_path / "trace.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("trace.trace", '{"params": {"value": "tr4ce-secret-value"}}')
        archive.writestr("resources/page.html", "<input value='tr4ce-secret-value'>")
    scrub_zip(path)
    with zipfile.ZipFile(path) as archive:
        contents = b"".join(archive.read(n) for n in archive.namelist())
    assert b"tr4ce-secret-value" not in contents and contents.count(b"****") == 2
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    clear_secrets()
