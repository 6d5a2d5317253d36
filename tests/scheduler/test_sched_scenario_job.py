"""A job that runs a robot scenario (real Chromium on the real sample core system) through
`schedule run-now`: the robot's own ledger row carries the job id and is not counted twice."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from scheduler.ledger import runs
from scheduler.state import get_state
from yomikaki.cli import app

REPO = Path(__file__).resolve().parents[2]


def test_scenario_job_run_now(tmp_path, start_core_system, core_credentials):
    core = start_core_system()
    scenario = REPO / "scenarios" / "benefit_registration.yaml"
    sample = REPO / "scenarios" / "examples" / "confirmed.jsonl"
    lines = [line for line in sample.read_text(encoding="utf-8").splitlines() if line.strip()][:3]
    rows = tmp_path / "confirmed.jsonl"
    rows.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = len(lines)
    jobs = tmp_path / "jobs.yaml"
    jobs.write_text(f"""jobs:
  - id: benefit-payment
    name: 給付金 口座振込データ登録
    process: benefit-registration
    run:
      scenario: "{scenario}"
      input: "{rows}"
      overrides: {{core_url: "{core.url}"}}
    when: {{monthly: {{day: 10}}, adjust: previous, at: "09:00"}}
    manual_minutes_per_item: {{minutes: 4.0, measured_by: 福祉課, sample_size: 60, effective_from: 2020-04-01}}
""", encoding="utf-8")
    result = CliRunner().invoke(app, ["schedule", "run-now", "benefit-payment", "--jobs", str(jobs)])
    assert result.exit_code == 0, f"{result.output}{result.exception!r}"
    recorded = runs()
    assert len(recorded) == 1  # the robot's row; the job did not add a second one
    (run,) = recorded
    assert (run.kind, run.job_id, run.process_id) == ("robot", "benefit-payment", "benefit-registration")
    assert run.items_total == expected and run.items_done + run.items_failed == expected
    assert (run.baseline_minutes, run.baseline_source) == (4.0, "history")
    registered = core.inspect("applications")
    assert len(registered) >= run.items_done
    assert get_state("benefit-payment").last_status in ("ok", "failed_items")
