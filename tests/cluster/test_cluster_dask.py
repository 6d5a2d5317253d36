"""ocr.cluster on a real Dask LocalCluster (2 worker processes) and on a local process pool."""

from __future__ import annotations

import os
import pickle
import signal
import time

import pytest
from cluster_pages import PageTask, read_page, write_pages

from ocr.cluster import DaskExecutor, check_cluster, executor_slots, make_executor, run_ordered
from yomikaki.errors import ConfigError


def _rows(results):
    return [{k: v for k, v in row.items() if k != "pid"} for _task, row, _err in results]


def test_cluster_dask_gives_the_same_rows_as_local_pool(dask_cluster, tmp_path):
    tasks = write_pages(tmp_path, 6, frames=3)
    with make_executor(workers=2) as pool:
        local = list(run_ordered(pool, read_page, tasks, threshold=100))
    with make_executor(cluster=dask_cluster.scheduler_address) as pool:
        assert isinstance(pool, DaskExecutor)
        assert executor_slots(pool) == 2
        remote = list(run_ordered(pool, read_page, tasks, threshold=100))
    assert [err for *_, err in local + remote if err] == []
    assert [task for task, *_ in remote] == tasks  # in task order
    assert _rows(remote) == _rows(local)
    assert [(r["source"], r["page"]) for r in _rows(remote)][:4] == [
        ("scan_000.tif", 1), ("scan_000.tif", 2), ("scan_000.tif", 3), ("scan_001.tif", 1)]
    assert len({row["pid"] for _t, row, _e in remote}) == 2, "both workers should read pages"
    assert len({row["pid"] for _t, row, _e in remote} & {os.getpid()}) == 0


def test_cluster_tasks_and_rows_carry_no_pixels(tmp_path):
    tasks = write_pages(tmp_path, 1)
    image_bytes = os.path.getsize(tasks[0].path)
    assert len(pickle.dumps(tasks[0])) < 300 < image_bytes
    assert len(pickle.dumps(read_page(tasks[0]))) < 300


def test_cluster_worker_killed_mid_batch_loses_no_page(dask_cluster, tmp_path):
    tasks = [t._replace(delay=0.15) for t in write_pages(tmp_path, 40)]
    with make_executor(workers=1) as pool:
        expected = _rows(run_ordered(pool, read_page, [t._replace(delay=0) for t in tasks]))
    killed_pid = None
    results = []
    with make_executor(cluster=dask_cluster.scheduler_address) as pool:
        client = pool.client
        for n, result in enumerate(run_ordered(pool, read_page, tasks, window=8)):
            results.append(result)
            if n == 5:
                busy = [addr for addr, keys in client.processing().items() if keys]
                pids = client.run(os.getpid, workers=busy[:1])
                (victim, killed_pid), = pids.items()
                os.kill(killed_pid, signal.SIGKILL)  # the worker process dies (nanny restarts it)
    errors = [err for *_, err in results if err]
    assert errors == []
    assert len(results) == len(tasks)
    assert _rows(results) == expected  # every page once, in order, same content
    pids_after = [row["pid"] for _t, row, _e in results[6:]]
    assert killed_pid not in pids_after[4:], "the killed worker cannot have read later pages"
    assert killed_pid in [row["pid"] for _t, row, _e in results[:6]]


def test_cluster_failing_page_is_reported_and_batch_goes_on(dask_cluster, tmp_path):
    tasks = write_pages(tmp_path, 3)
    tasks.insert(1, PageTask(str(tmp_path / "missing.tif"), 0))
    with make_executor(cluster=dask_cluster.scheduler_address, retries=1) as pool:
        results = list(run_ordered(pool, read_page, tasks))
    assert [type(err).__name__ if err else None for *_, err in results] == [
        None, "FileNotFoundError", None, None]
    assert [row["source"] for _t, row, err in results if not err] == [
        "scan_000.tif", "scan_001.tif", "scan_002.tif"]


def test_cluster_check_cluster_sees_the_shared_file(dask_cluster, tmp_path):
    tasks = write_pages(tmp_path, 1)
    reports = check_cluster(dask_cluster.scheduler_address, tasks[0].path)
    assert len(reports) == 2
    assert [r["problem"] for r in reports] == [None, None]
    assert len({r["pid"] for r in reports}) == 2


def test_cluster_bad_addresses_give_clear_errors():
    with pytest.raises(ConfigError, match="アドレスが正しくありません"):
        make_executor(cluster="192.168.1.20:8786")
    started = time.monotonic()
    with pytest.raises(ConfigError, match="接続できません"):
        make_executor(cluster="tcp://127.0.0.1:9", connect_timeout=2)
    assert time.monotonic() - started < 30
    with pytest.raises(ConfigError, match="1 以上"):
        make_executor(workers=0)
