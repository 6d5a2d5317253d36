"""yomikaki.dbqueue on real SQLite files and a real PostgreSQL server: claims, leases, in-doubt."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cluster_claim_worker import claim_all, claim_log, items, metadata
from sqlalchemy import func, insert, select

from yomikaki.db import get_engine
from yomikaki.dbqueue import (
    LeaseKeeper,
    claim_next,
    expire_leases,
    finish,
    heartbeat,
    holds,
    insert_missing,
    keep_leases,
)

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'queue.db'}"
    return request.getfixturevalue("fresh_postgres_url")


def _fill(engine, n: int, status: str = "new") -> None:
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(items), [{"ref": f"R{i:05d}", "status": status} for i in range(n)])


def test_cluster_claim_takes_oldest_and_sets_lease(db_url):
    engine = get_engine(url=db_url)
    _fill(engine, 3)
    with engine.begin() as conn:
        first = claim_next(conn, items, owner="pc-1", lease_seconds=30, now=T0,
                           values={"attempts": items.c.attempts + 1})
        second = claim_next(conn, items, owner="pc-2", lease_seconds=30, now=T0)
    assert (first.id, second.id) == (1, 2)
    assert first.previous_status == "new"
    assert first.row["status"] == "in_progress" and first.row["lease_owner"] == "pc-1"
    assert first.row["attempts"] == 1 and second.row["attempts"] == 0
    with engine.connect() as conn:
        stored = conn.execute(select(items.c.lease_expires).where(items.c.id == 1)).scalar_one()
    assert stored.replace(tzinfo=UTC) == T0 + timedelta(seconds=30)


def test_cluster_in_doubt_items_come_first_when_asked(db_url):
    engine = get_engine(url=db_url)
    _fill(engine, 2)
    with engine.begin() as conn:
        conn.execute(items.update().where(items.c.id == 2).values(status="in_doubt"))
        claim = claim_next(conn, items, owner="pc-1", lease_seconds=30, now=T0,
                           statuses=("in_doubt", "new"))
    assert (claim.id, claim.previous_status) == (2, "in_doubt")


def test_cluster_empty_queue_gives_none(db_url):
    engine = get_engine(url=db_url)
    _fill(engine, 1, status="done")
    with engine.begin() as conn:
        assert claim_next(conn, items, owner="pc-1", lease_seconds=30, now=T0) is None


def test_cluster_dead_robot_lease_expires_to_in_doubt(db_url):
    engine = get_engine(url=db_url)
    _fill(engine, 2)
    with engine.begin() as conn:
        dead = claim_next(conn, items, owner="pc-dead", lease_seconds=10, now=T0)
        alive = claim_next(conn, items, owner="pc-alive", lease_seconds=10, now=T0)
    # pc-alive keeps heart-beating, pc-dead does not
    with engine.begin() as conn:
        assert heartbeat(conn, items, owner="pc-alive", lease_seconds=10, now=T0 + timedelta(seconds=8)) == {alive.id}
        assert expire_leases(conn, items, now=T0 + timedelta(seconds=9)) == []
        assert holds(conn, items, dead.id, owner="pc-dead", now=T0 + timedelta(seconds=9))
        assert expire_leases(conn, items, now=T0 + timedelta(seconds=12)) == [dead.id]
    with engine.begin() as conn:
        # the dead robot's late writes are refused; the living one finishes normally
        assert not holds(conn, items, dead.id, owner="pc-dead", now=T0 + timedelta(seconds=12))
        assert heartbeat(conn, items, owner="pc-dead", lease_seconds=10, now=T0 + timedelta(seconds=13)) == set()
        assert not finish(conn, items, dead.id, owner="pc-dead", status="done")
        assert finish(conn, items, alive.id, owner="pc-alive", status="done")
        rows = dict(conn.execute(select(items.c.id, items.c.status)).all())
        owners = conn.execute(select(items.c.lease_owner).where(items.c.lease_owner.is_not(None))).all()
    assert rows == {dead.id: "in_doubt", alive.id: "done"}
    assert owners == []
    # the in-doubt row is then claimed (for its check block) by another robot
    with engine.begin() as conn:
        again = claim_next(conn, items, owner="pc-alive", lease_seconds=10, now=T0 + timedelta(seconds=14),
                           statuses=("in_doubt", "new"))
    assert (again.id, again.previous_status) == (dead.id, "in_doubt")


def test_cluster_naive_clock_is_refused(db_url):
    engine = get_engine(url=db_url)
    _fill(engine, 1)
    with engine.begin() as conn, pytest.raises(ValueError, match="timezone-aware"):
        claim_next(conn, items, owner="pc-1", lease_seconds=30, now=datetime(2026, 1, 1))


def _assert_each_claimed_once(engine, n: int, claimed_total: int) -> Counter:
    with engine.connect() as conn:
        log = conn.execute(select(claim_log.c.item_id, claim_log.c.owner)).all()
        statuses = Counter(conn.execute(select(items.c.status)).scalars())
        attempts = set(conn.execute(select(items.c.attempts)).scalars())
    per_item = Counter(item for item, _owner in log)
    assert len(per_item) == n, "every row must be claimed"
    assert max(per_item.values()) == 1, f"rows claimed twice: {[i for i, c in per_item.items() if c > 1]}"
    assert claimed_total == n
    assert statuses == {"done": n}
    assert attempts == {1}
    return Counter(owner for _item, owner in log)


def test_cluster_postgres_many_threads_never_claim_twice(fresh_postgres_url):
    engine = get_engine(url=fresh_postgres_url)
    engine.pool.dispose()
    n, claimers = 600, 16
    _fill(engine, n)
    from sqlalchemy import create_engine

    engine = create_engine(fresh_postgres_url, pool_size=claimers, max_overflow=4)
    totals: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(claimers)

    def run(owner: str) -> None:
        try:
            barrier.wait()
            totals.append(claim_all(engine, owner))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f"thread-{i}",)) for i in range(claimers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    per_owner = _assert_each_claimed_once(engine, n, sum(totals))
    assert len(per_owner) >= 4, f"the claimers should share the work: {per_owner}"
    engine.dispose()


def test_cluster_processes_never_claim_twice(db_url):
    engine = get_engine(url=db_url)
    n, claimers = 240, 4
    _fill(engine, n)
    procs = [
        subprocess.Popen(
            [sys.executable, str(HERE / "cluster_claim_worker.py"), db_url, f"proc-{i}"],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**__import__("os").environ, "PYTHONPATH": str(REPO)},
        )
        for i in range(claimers)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    total = sum(int(out.strip()) for out, _err in outputs)
    per_owner = _assert_each_claimed_once(engine, n, total)
    assert len(per_owner) >= 2, per_owner
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(claim_log)).scalar_one() == n


def test_cluster_insert_missing_skips_existing_references(db_url):
    engine = get_engine(url=db_url)
    _fill(engine, 3)  # R00000..R00002
    rows = [{"ref": f"R{i:05d}", "status": "new"} for i in range(1, 6)]
    with engine.begin() as conn:
        assert insert_missing(conn, items, rows, unique=["ref"]) == 3
        assert insert_missing(conn, items, rows, unique=["ref"]) == 0
        refs = conn.execute(select(items.c.ref).order_by(items.c.ref)).scalars().all()
    assert refs == [f"R{i:05d}" for i in range(6)]


def test_cluster_concurrent_enqueue_of_same_input_on_postgres(fresh_postgres_url):
    """Three robots starting on the same input at once: each reference ends up once."""
    from sqlalchemy import create_engine

    engine = create_engine(fresh_postgres_url, pool_size=4)
    metadata.create_all(engine)
    rows = [{"ref": f"R{i:05d}", "status": "new"} for i in range(300)]
    counts: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def enqueue() -> None:
        try:
            barrier.wait()
            with engine.begin() as conn:
                counts.append(insert_missing(conn, items, rows, unique=["ref"]))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=enqueue) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sum(counts) == 300
    with engine.connect() as conn:
        assert conn.execute(select(func.count(func.distinct(items.c.ref)))).scalar_one() == 300
        assert conn.execute(select(func.count()).select_from(items)).scalar_one() == 300
    engine.dispose()


def test_cluster_lease_keeper_holds_leases_while_the_process_lives(db_url):
    engine = get_engine(url=db_url)
    _fill(engine, 3)
    with engine.begin() as conn:
        mine = [claim_next(conn, items, owner=f"pc-1:4242:run:{w}", lease_seconds=3).id for w in (0, 1)]
        other = claim_next(conn, items, owner="pc-2:77:run:0", lease_seconds=3).id
    keeper = LeaseKeeper(engine, items, owner_prefix="pc-1:4242:", lease_seconds=3, interval=0.3).start()
    try:
        time.sleep(4)
        with engine.begin() as conn:
            assert expire_leases(conn, items) == [other]  # only the unkept lease ran out
        assert keeper.beats >= 5
    finally:
        keeper.stop()
    time.sleep(3.5)  # the "process" died: no more heartbeats
    with engine.begin() as conn:
        assert expire_leases(conn, items) == sorted(mine)


def test_cluster_keep_leases_ends_when_idle_and_restarts_on_next_claim(db_url):
    engine = get_engine(url=db_url)
    _fill(engine, 2)
    owner = "pc-1:4243:run:0"
    with engine.begin() as conn:
        first = claim_next(conn, items, owner=owner, lease_seconds=1.5).id
    keeper = keep_leases(engine, items, owner_prefix="pc-1:4243:", lease_seconds=1.5)
    assert keep_leases(engine, items, owner_prefix="pc-1:4243:", lease_seconds=1.5) is keeper
    time.sleep(1.2)
    with engine.begin() as conn:
        assert finish(conn, items, first, owner=owner, status="done")
    deadline = time.monotonic() + 10
    while keeper.alive and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not keeper.alive, "an idle keeper ends by itself"
    with engine.begin() as conn:
        second = claim_next(conn, items, owner=owner, lease_seconds=1.5).id
    again = keep_leases(engine, items, owner_prefix="pc-1:4243:", lease_seconds=1.5)
    assert again is not keeper and again.alive
    time.sleep(2.5)
    with engine.begin() as conn:
        assert expire_leases(conn, items) == []
        assert holds(conn, items, second, owner=owner)
        assert finish(conn, items, second, owner=owner, status="done")
