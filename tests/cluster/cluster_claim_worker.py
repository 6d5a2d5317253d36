"""A claimer process for the queue concurrency tests: claims rows until none is left.

Usage: python cluster_claim_worker.py DATABASE_URL OWNER
Each claim is logged in ``claim_log`` (in the same transaction as the claim), so the test can
check that no row was ever handed out twice.
"""

from __future__ import annotations

import sys

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, insert

metadata = MetaData()
items = Table(
    "h8_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ref", String(40), unique=True, nullable=False),
    Column("status", String(20), nullable=False, default="new", index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("lease_owner", String(80)),
    Column("lease_expires", DateTime(timezone=True)),
)
claim_log = Table(
    "h8_claim_log",
    metadata,
    Column("n", Integer, primary_key=True),
    Column("item_id", Integer, nullable=False),
    Column("owner", String(80), nullable=False),
)


def claim_all(engine, owner: str) -> int:
    from yomikaki.dbqueue import claim_next, finish

    claimed = 0
    while True:
        with engine.begin() as conn:
            claim = claim_next(
                conn, items, owner=owner, lease_seconds=60,
                values={"attempts": items.c.attempts + 1},
            )
            if claim is None:
                return claimed
            conn.execute(insert(claim_log).values(item_id=claim.id, owner=owner))
        with engine.begin() as conn:
            assert finish(conn, items, claim.id, owner=owner, status="done")
        claimed += 1


if __name__ == "__main__":
    from yomikaki.db import get_engine

    url, owner = sys.argv[1], sys.argv[2]
    print(claim_all(get_engine(url=url), owner))
