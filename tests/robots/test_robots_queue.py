"""The work queue: unique references, claim, crash recovery, retry of failed items."""

from __future__ import annotations

import subprocess
import sys

from robots import queue as q
from yomikaki.db import session_factory


def test_robots_enqueue_claim_finish_and_rerun_skips_done():
    db = session_factory()()
    prior = q.enqueue(db, "t", "run1", [("A", {"x": 1}), ("B", {"x": 2})])
    db.commit()
    assert prior == {"A": "new", "B": "new"}
    first = q.claim(db, "t", "run1", "w0", 60)
    second = q.claim(db, "t", "run1", "w1", 60)
    assert {first.reference, second.reference} == {"A", "B"}
    assert first.status == "in_progress" and first.attempts == 1
    assert q.claim(db, "t", "run1", "w2", 60) is None
    q.finish(db, first.id, "done", outputs={"受付番号": "R1"})
    q.finish(db, second.id, "business_error", error="既に申請済みです")
    prior = q.enqueue(db, "t", "run2", [("A", {"x": 1}), ("B", {"x": 2}), ("C", {})])
    db.commit()
    assert prior == {"A": "done", "B": "business_error", "C": "new"}
    assert q.claim(db, "t", "run2", "w0", 60).reference == "C"
    assert q.claim(db, "t", "run2", "w0", 60) is None  # done and failed items are not taken again
    q.enqueue(db, "t", "run3", [("B", {"x": 2})], retry_failed=True)
    db.commit()
    retried = q.claim(db, "t", "run3", "w0", 60)
    assert retried.reference == "B" and retried.attempts == 1
    db.close()


def test_robots_items_of_a_dead_runner_become_in_doubt():
    db = session_factory()()
    q.enqueue(db, "t", "run1", [("A", {}), ("B", {})])
    db.commit()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_owner = q.owner_id("run1", 0).replace(f":{__import__('os').getpid()}:", f":{dead.stdout.strip()}:")
    a = q.claim(db, "t", "run1", dead_owner, 600)
    b = q.claim(db, "t", "run1", q.owner_id("run1", 1), 600)  # this (living) process
    assert q.recover_abandoned(db, "t") == [a.reference]
    db.commit()
    db.expire_all()
    assert db.get(q.WorkItem, a.id).status == "in_doubt" and db.get(q.WorkItem, a.id).needs_check
    assert db.get(q.WorkItem, b.id).status == "in_progress"
    db.close()


def test_robots_in_doubt_items_without_check_are_held_for_a_person(tmp_path, core_credentials):
    from pathlib import Path

    from robots.runner import run_scenario

    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "benefit_registration.yaml"
    text = scenario.read_text(encoding="utf-8")
    no_check = tmp_path / "no_check.yaml"
    no_check.write_text(text[: text.index("\ncheck:")] + "\n", encoding="utf-8")
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"application_id": "1234567890", "application_date": "2026-07-01", '
                    '"account_holder_kana": "ア"}\n', encoding="utf-8")
    db = session_factory()()
    q.enqueue(db, "benefit-registration", "crashed-run", [("1234567890", {})])
    db.commit()
    item = q.claim(db, "benefit-registration", "crashed-run", "otherhost:1:crashed-run:0", 1)
    db.close()
    # the lease has expired and nobody can say whether the registration went through
    import time

    time.sleep(1.1)
    result = run_scenario(no_check, input_path=rows, overrides={"core_url": "http://127.0.0.1:9"}, progress=False)
    assert result.held == ["1234567890"] and result.totals["in_doubt"] == 1 and not result.ok
    db = session_factory()()
    held = db.get(q.WorkItem, item.id)
    assert held.status == "in_doubt" and held.attempts == 1  # never submitted blindly
    db.close()
    # a person looked on the core system: it was registered
    from typer.testing import CliRunner

    from yomikaki.cli import app

    answer = CliRunner().invoke(app, ["runs", "resolve", str(no_check), "1234567890", "--done", "--note", "R2026-1"])
    assert answer.exit_code == 0, answer.output
    db = session_factory()()
    resolved = db.get(q.WorkItem, item.id)
    assert resolved.status == "done" and resolved.outputs["確認メモ"] == "R2026-1"
    db.close()
    again = CliRunner().invoke(app, ["runs", "resolve", str(no_check), "1234567890", "--retry"])
    assert again.exit_code != 0 and "要確認ではありません" in str(again.exception)  # InputError → exit 2 in main()
