"""Robots sharing a queue: a robot whose item was taken over never submits it.

A real robot registers real items on the sample core system. Right before its final 登録
click on one item, a ``python:`` step does to the queue row exactly what another robot does
after this robot's lease lapsed (``expire_leases`` then ``claim_next`` by another owner). The
robot must stop before the click, record nothing for that item, and go on with the others.
"""

from __future__ import annotations

from pathlib import Path

from robots.runner import run_scenario

REPO = Path(__file__).resolve().parents[2]
REGISTRATION = REPO / "scenarios" / "benefit_registration.yaml"

TAKEOVER = '''
from datetime import UTC, datetime

from robots.queue import WorkItem
from yomikaki.db import session_scope
from yomikaki.dbqueue import claim_next, expire_leases


def other_robot_takes_over(page, item, target):
    if item["application_id"] != target:
        return
    far_past = datetime(2000, 1, 1, tzinfo=UTC)
    with session_scope() as session:
        row = session.query(WorkItem).filter_by(reference=target).one()
        # this robot's lease lapses (as when its PC froze), the other robot sees it expired …
        row.lease_expires = far_past
        session.flush()
        assert expire_leases(session, WorkItem, where=[WorkItem.id == row.id]) == [row.id]
        # … and claims it for itself
        claimed = claim_next(session, WorkItem, owner="other-pc:4242:run-x:0", lease_seconds=600,
                             statuses=("in_doubt",), where=[WorkItem.id == row.id])
        assert claimed is not None
'''


def test_robots_lost_lease_stops_before_the_final_click(start_core_system, core_credentials, make_rows, write_rows,
                                                        robot, tmp_path, isolated_data_dir):
    core = start_core_system()
    rows = make_rows(core, 3, offset=700)
    target = rows[1]["application_id"]
    (tmp_path / "takeover.py").write_text(TAKEOVER, encoding="utf-8")
    text = REGISTRATION.read_text(encoding="utf-8")
    hook = "  - dialog: {action: accept, message: 登録しますか}\n"
    assert text.count(hook) == 1
    text = text.replace(hook, "  - python: {function: 'takeover.py:other_robot_takes_over', "
                              f"args: {{target: '{target}'}}}}\n" + hook)
    scenario = tmp_path / "benefit_registration.yaml"
    scenario.write_text(text, encoding="utf-8")

    result = run_scenario(scenario, input_path=write_rows(rows), overrides={"core_url": core.url}, progress=False)

    registered = robot.applications(core)
    assert target not in registered  # never submitted by the robot that lost it
    others = [r["application_id"] for r in rows if r["application_id"] != target]
    assert all(len(registered.get(ref, [])) == 1 for ref in others)
    item = robot.items()[target]
    assert item.status == "in_progress" and item.lease_owner == "other-pc:4242:run-x:0"  # left to the other robot
    given_up = [e for e in robot.events(result.log_path) if e["event"] == "item_given_up"]
    assert [e["reference"] for e in given_up] == [target]
    assert "引き継いだ" in given_up[0]["message"]
    assert result.totals["done"] == 2
