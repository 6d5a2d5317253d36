"""The run ledger, the audit log and the review corrections work on PostgreSQL as on SQLite."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from yomikaki.migrate import upgrade
from yomikaki.settings import get_settings, reset_settings_cache


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'y.db'}" if request.param == "sqlite" else request.getfixturevalue("fresh_postgres_url")
    monkeypatch.setenv("YOMIKAKI_DATABASE_URL", url)
    reset_settings_cache()
    upgrade(get_settings())
    return url


def test_cluster_ledger_on_the_shared_database(database):
    from scheduler.ledger import baselines, record_run, runs, set_baseline

    assert get_settings().db_url == database
    set_baseline("benefit-registration", 4.0, date(2026, 4, 1), measured_by="給付係", sample_size=60)
    started = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    for pc in range(3):  # three robot PCs each record their own run
        record_run(process_id="benefit-registration", kind="robot", started_at=started,
                   ended_at=started + timedelta(minutes=5), status="completed", items_total=50,
                   items_done=49 - pc, items_failed=1 + pc, manual_minutes_per_item=4.0, run_ref=f"pc{pc}")
    recorded = runs(date(2026, 11, 1), date(2026, 11, 30))
    assert [r.items_done for r in recorded] == [49, 48, 47]
    assert [b.minutes_per_item for b in baselines("benefit-registration")] == [4.0]


def test_cluster_audit_on_the_shared_database(database):
    from yomikaki.audit import recent, record

    record("robot.run", "臨時特別給付金 申請登録", run_id="r1", account="1234567")
    events = recent(5)
    assert [e.action for e in events] == ["robot.run"]
    assert events[0].details["run_id"] == "r1"


def test_cluster_review_corrections_on_the_shared_database(database):
    from ocr.review.corrections import Correction, corrections_for, record_import, register_export, stats

    register_export("exp-1", form="benefit-application", rows=2, workbook="review.xlsx",
                    rows_file="rows.jsonl", row_hashes=["a", "b"])
    fixes = [Correction("scan_001.jpg", 1, "phone", "049-283-1234", "049-283-1284", True),
             Correction("scan_002.jpg", 1, "members.2.name", "高田　直美", "高田　直己", False)]
    replaced, previous = record_import(
        "exp-1", workbook="review.xlsx", modified_by="確認者A", modified_at=datetime.now(UTC),
        rows_total=2, rows_accepted=2, rows_rejected=0,
        field_totals={"phone": [2, 1], "members.2.name": [2, 0]}, corrections=fixes)
    assert (replaced, previous) == (False, 0)
    assert [c.corrected_value for c in corrections_for("exp-1")] == ["049-283-1284", "高田　直己"]
    by_field = {s.field: s for s in stats()}
    assert by_field["phone"].changed_flagged == 1
    assert by_field["members.name"].changed_unflagged == 1
