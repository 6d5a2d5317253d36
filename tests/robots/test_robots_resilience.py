"""Faults, crashes and parallel workers against the real sample core system."""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from robots.runner import run_scenario
from yomikaki.redaction import clear_secrets

REPO = Path(__file__).resolve().parents[2]
REGISTRATION = REPO / "scenarios" / "benefit_registration.yaml"
BUSINESS_MESSAGES = ("既に申請済みです", "見つかりません", "で入力してください", "を選択してください")


def _all_bytes(path: Path) -> list[tuple[str, bytes]]:
    data = path.read_bytes()
    out = [(str(path), data)]
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            out += [(f"{path}!{name}", archive.read(name)) for name in archive.namelist()]
    return out


def test_robots_faults_notices_random_ids_and_session_timeout(start_core_system, monkeypatch, make_rows, write_rows,
                                                              robot, tmp_path, isolated_data_dir):
    user, password = "robot-kx81", "pw-Zq7-s3cret"
    core = start_core_system(user=user, password=password, fault_rate=0.1, slow_ms=300, notice_rate=0.2,
                             random_ids=True, session_timeout=5)
    monkeypatch.setenv("YOMIKAKI_BROWSER__DEFAULT_TIMEOUT_MS", "6000")
    monkeypatch.setenv("CORE_USER", user)
    monkeypatch.setenv("CORE_PASSWORD", password)
    rows = make_rows(core, 20, offset=300)
    out = tmp_path / "results.xlsx"
    result = run_scenario(REGISTRATION, input_path=write_rows(rows), overrides={"core_url": core.url}, workers=2,
                          out=out, progress=False)
    assert result.status == "completed", result.message
    apps = robot.applications(core)
    items = robot.items()
    events = robot.events(result.log_path)
    outcomes = {}
    for row in rows:
        item = items[row["application_id"]]
        registered = apps.get(row["application_id"], [])
        outcomes[item.status] = outcomes.get(item.status, 0) + 1
        assert len(registered) <= 1, f"{row['application_id']} registered twice"
        if item.status == "done":
            assert len(registered) == 1 and registered[0]["receipt_no"] == item.outputs["受付番号"]
        elif item.status == "business_error":
            assert any(m in item.error for m in BUSINESS_MESSAGES), item.error
        elif item.status == "in_doubt":  # even the check failed: held, listed for a person
            assert item.reference in result.held
        else:
            assert item.status == "system_error", item.status
            # 3 attempts, then one pass that only ran the check block and found nothing registered
            assert item.attempts == 4 and not registered, (item.attempts, item.error)
    assert outcomes.get("done", 0) >= 15, outcomes
    retried = [e for e in events if e["event"] == "item_finished" and e["retry"]]
    notices = [e for e in events if e["event"] == "item_finished"]
    assert notices  # the run log has one line per attempt
    if retried:  # after a system error the item is checked on 申請一覧 before being tried again
        assert any(e["event"] == "item_started" and e["check_first"] for e in events)

    # no secret value in any file the run wrote (data folder, results, traces unpacked)
    clear_secrets()
    written = [p for p in isolated_data_dir.rglob("*") if p.is_file()] + [out]
    assert any(p.suffix == ".zip" for p in written) or not retried
    for path in written:
        for name, data in _all_bytes(path):
            assert password.encode() not in data, f"password found in {name}"
            assert user.encode() not in data, f"user id found in {name}"


def test_robots_kill_9_then_rerun_registers_each_input_exactly_once(start_core_system, core_credentials, make_rows,
                                                                    write_rows, robot, tmp_path):
    core = start_core_system(slow_ms=100)
    rows = make_rows(core, 10, offset=400)
    path = write_rows(rows)
    rng = random.Random(int(os.environ.get("ROBOT_KILL_SEED", "3")))
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "yomikaki", "run", str(REGISTRATION), "--input", str(path),
               "--set", f"core_url={core.url}", "--no-progress"]
    killed_in_doubt = 0
    for round_ in range(2):
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        done_before = sum(1 for i in robot.items().values() if i.status == "done")
        deadline = time.monotonic() + 90
        # wait until this round has registered at least one more item, then a random extra moment
        while time.monotonic() < deadline and proc.poll() is None:
            if sum(1 for i in robot.items().values() if i.status == "done") > done_before:
                break
            time.sleep(0.1)
        time.sleep(rng.uniform(0.2, 2.5))
        assert proc.poll() is None, f"round {round_}: the run ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # its Chromium and Playwright driver
        except ProcessLookupError:
            pass
        killed_in_doubt += sum(1 for i in robot.items().values() if i.status == "in_progress")
    result = run_scenario(REGISTRATION, input_path=path, overrides={"core_url": core.url}, progress=False)
    assert result.status == "completed" and result.ok, result
    apps = robot.applications(core)
    items = robot.items()
    for row in rows:
        assert len(apps.get(row["application_id"], [])) == 1, row["application_id"]
        assert items[row["application_id"]].status == "done"
        assert items[row["application_id"]].outputs["受付番号"] == apps[row["application_id"]][0]["receipt_no"]
    events = robot.events(result.log_path)
    recovered = next(e for e in events if e["event"] == "run_started")["recovered_in_doubt"]
    assert len(recovered) <= killed_in_doubt + 1


def _end_state(core) -> dict[str, tuple]:
    skip = {"receipt_no", "registered_at"}
    return {app_id: tuple(sorted((k, str(v)) for k, v in apps[0].items() if k not in skip))
            for app_id, apps in __import__("collections").defaultdict(list, {
                a: b for a, b in _by_id(core).items()}).items()}


def _by_id(core) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for app in core.inspect("applications"):
        found.setdefault(app["application_id"], []).append(app)
    return found


def test_robots_four_workers_reach_the_same_end_state_as_one(start_core_system, core_credentials, make_rows,
                                                             write_rows, tmp_path, monkeypatch):
    from yomikaki.db import dispose_engines
    from yomikaki.settings import reset_settings_cache

    one, four = start_core_system(), start_core_system()
    rows = make_rows(one, 10, offset=500)
    assert rows == make_rows(four, 10, offset=500)  # same seed, same households
    path = write_rows(rows)
    results = []
    for core, workers in ((one, 1), (four, 4)):
        monkeypatch.setenv("YOMIKAKI_DATA_DIR", str(tmp_path / f"var-{workers}"))
        reset_settings_cache()
        dispose_engines()
        results.append(run_scenario(REGISTRATION, input_path=path, overrides={"core_url": core.url},
                                    workers=workers, progress=False))
    assert [r.totals["done"] for r in results] == [10, 10]
    state_one, state_four = _end_state(one), _end_state(four)
    assert set(state_one) == {r["application_id"] for r in rows}
    assert state_one == state_four
    assert all(len(v) == 1 for v in _by_id(four).values())


def test_robots_ctrl_c_stops_after_the_current_item(start_core_system, core_credentials, make_rows, write_rows,
                                                   robot):
    core = start_core_system()
    rows = make_rows(core, 6, offset=600)
    path = write_rows(rows)
    proc = subprocess.Popen([sys.executable, "-m", "yomikaki", "run", str(REGISTRATION), "--input", str(path),
                             "--set", f"core_url={core.url}", "--no-progress"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not any(i.status == "done" for i in robot.items().values()):
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 5, output  # RunAborted: interrupted
    items = robot.items()
    statuses = [items[r["application_id"]].status for r in rows]
    assert "in_progress" not in statuses and "in_doubt" not in statuses  # the current item was finished
    assert statuses.count("done") < len(rows) and set(statuses) <= {"done", "new"}
    apps = robot.applications(core)
    assert all((len(apps.get(r["application_id"], [])) == 1) == (items[r["application_id"]].status == "done")
               for r in rows)
    rest = run_scenario(REGISTRATION, input_path=path, overrides={"core_url": core.url}, progress=False)
    assert rest.totals["done"] + rest.totals["skipped"] == len(rows) and rest.ok


def _chromium_browser_pids() -> list[int]:
    """Chromium main processes started by this test process (through Playwright's driver)."""
    me, found = os.getpid(), []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            status = (entry / "status").read_text()
        except OSError:
            continue
        if not any(b"--remote-debugging-pipe" in part for part in cmdline) or any(
                part.startswith(b"--type=") for part in cmdline):
            continue
        pid = int(entry.name)
        while pid > 1:  # an ancestor must be this test process
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                break
            pid = int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))
            if pid == me:
                found.append(int(entry.name))
                break
    return found


def test_robots_browser_crash_midway_restarts_chromium_and_finishes(start_core_system, core_credentials, make_rows,
                                                                    write_rows, robot, isolated_data_dir):
    import threading

    core = start_core_system()
    rows = make_rows(core, 10, offset=100)
    killed: list[int] = []

    def kill_browser_midway():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(core.inspect("applications")) < 3:
            time.sleep(0.2)
        for pid in _chromium_browser_pids():
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    killer = threading.Thread(target=kill_browser_midway, daemon=True)
    killer.start()
    result = run_scenario(REGISTRATION, input_path=write_rows(rows), overrides={"core_url": core.url}, workers=2,
                          progress=False)
    killer.join(5)
    assert killed, "the test did not find the robot's Chromium"
    assert result.status == "completed" and result.totals["done"] == len(rows)
    apps = robot.applications(core)
    assert {r["application_id"]: len(apps.get(r["application_id"], [])) for r in rows} == \
        {r["application_id"]: 1 for r in rows}  # the items cut short were checked before being redone
    events = robot.events(result.log_path)
    assert [e["event"] for e in events].count("browser_restarted") == 1
    assert any(e["event"] == "item_finished" and e["outcome"] == "system_error" for e in events)
