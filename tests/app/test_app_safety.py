"""Redaction, private files, formula-injection-safe exports, the audit log."""

from __future__ import annotations

import csv
import logging
import stat

import openpyxl

from yomikaki import audit
from yomikaki.exports import neutralise_csv, set_cell_text, write_csv
from yomikaki.paths import private_dir, write_private
from yomikaki.redaction import RedactingFilter, clear_secrets, mask_account, redact, register_secret


def test_redact_masks_secrets_my_number_and_accounts():
    register_secret("s3cret-pass")
    try:
        text = "password=s3cret-pass mynumber=1234 5678 9012 account=0508821 phone=049-283-1331"
        out = redact(text)
        assert "s3cret-pass" not in out
        assert "1234 5678 9012" not in out and out.count("9012") == 1
        assert "0508821" not in out and "****821" in out
        assert "049-283-1331" in out, "phone numbers are not account numbers"
    finally:
        clear_secrets()
    assert mask_account("04330621") == "*****621"


def test_logging_filter_redacts(caplog):
    register_secret("hunter2-xyz")
    logger = logging.getLogger("yomikaki.test")
    handler = logging.Handler()
    records: list[str] = []
    handler.emit = lambda record: records.append(record.getMessage())
    handler.addFilter(RedactingFilter())
    logger.addHandler(handler)
    try:
        logger.warning("login with %s for account %s", "hunter2-xyz", "1234567")
    finally:
        logger.removeHandler(handler)
        clear_secrets()
    assert records == ["login with **** for account ****567"]


def test_private_files_and_dirs(tmp_path):
    folder = private_dir(tmp_path / "evidence" / "run1")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    path = write_private(folder / "shot.png", b"\x89PNG")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_formula_injection_neutralised_in_csv_and_xlsx(tmp_path):
    evil = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "普通の値"]
    assert [neutralise_csv(v) for v in evil][:6] == ["'" + v for v in evil[:6]]
    path = write_csv(tmp_path / "out.csv", ["値"], [[v] for v in evil])
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][0].startswith("'=") and rows[-1][0] == "普通の値"

    wb = openpyxl.Workbook()
    for i, value in enumerate(evil, start=1):
        set_cell_text(wb.active.cell(row=i, column=1), value)
    wb.save(tmp_path / "out.xlsx")
    again = openpyxl.load_workbook(tmp_path / "out.xlsx")
    for i, value in enumerate(evil, start=1):
        cell = again.active.cell(row=i, column=1)
        assert cell.data_type == "s", f"{value!r} stored as {cell.data_type}"
        assert cell.value == value.replace("\r", "\n")  # XML stores CR as LF


def test_audit_log_records_redacted_events():
    audit.record("review.import", "review.xlsx", account="1234567", rows=3)
    events = audit.recent(5)
    assert events[0].action == "review.import"
    assert events[0].details == {"account": "****567", "rows": 3}
