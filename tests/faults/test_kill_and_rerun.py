"""Kill the pipeline (a real process, SIGKILL) at seeded points, run it again: the warehouse an uninterrupted run
gives, nothing lost, nothing twice.

The pipeline runs in a subprocess against a fake ODK Central in this process. Some kills land when the server
has answered a seeded number of feed requests (mid-sync, before the cursor is saved), others at a seeded moment
of the run (the sync, the store, the clean and classify steps, the indicators). Each kill leaves whatever was
committed; the next run must carry on from there.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.faults.harness import central_with, demo_households, materialize, snapshot, source
from warehouse.schema.db import make_engine
from warehouse.schema.models import SyncCursor

ROOT = Path(__file__).resolve().parents[2]
KILLS = 3
HOUSEHOLDS = 1300  # more than a store batch (1000): a run commits part of the rows before the rest
PAGE_SIZE = 40


def start(fake_url: str, warehouse_url: str, uploads: Path) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "tests.faults.run_pipeline", fake_url, warehouse_url,
                                str(uploads), str(PAGE_SIZE), str(uploads / "sessions")], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env={**os.environ, "DAGSTER_DISABLE_TELEMETRY": "1"})
    assert process.stdout.readline().strip() == "ready"
    return process


def run_to_the_end(fake_url: str, warehouse_url: str, uploads: Path) -> None:
    process = start(fake_url, warehouse_url, uploads)
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0 and out.strip() == "done"


def progress(warehouse_url: str) -> str:
    """How far the killed runs got: rows committed in the raw, clean and published tables, and the cursor."""
    tables = snapshot(warehouse_url)
    return ", ".join(f"{name} {len(tables[name])}" for name in ("raw_submission", "sync_cursor", "household",
                                                                 "child_classification", "indicator_value"))


def feed_requests(fake) -> int:
    return sum(1 for r in list(fake.requests) if ".svc/Submissions" in r.target)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def two_warehouses(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'reference.sqlite'}", f"sqlite:///{tmp_path / 'killed.sqlite'}"
    server = request.getfixturevalue("postgres_server")
    return server.create_database("clms_kill_reference"), server.create_database("clms_kill_killed")


def test_killed_runs_then_a_full_one_give_the_uninterrupted_warehouse(two_warehouses, tmp_path):
    reference, killed = two_warehouses
    rng = random.Random(2026)
    with central_with(demo_households(HOUSEHOLDS)) as fake:
        before, started = feed_requests(fake), time.monotonic()
        assert materialize(reference, source(fake, page_size=PAGE_SIZE), tmp_path).success  # here: no start-up
        duration, requests_per_sync = time.monotonic() - started, feed_requests(fake) - before
        points = []
        for n in range(KILLS):
            process = start(fake.url, killed, tmp_path)
            if n % 2 == 0:  # mid-sync: after a seeded number of the sync's requests
                target = feed_requests(fake) + rng.randrange(1, requests_per_sync)
                while feed_requests(fake) < target and process.poll() is None:
                    time.sleep(0.005)
                points.append(f"after {target} feed requests")
            else:  # anywhere in the run
                moment = rng.uniform(0.3, 0.95) * duration
                time.sleep(moment)
                points.append(f"after {moment:.2f} s")
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            points[-1] += f": {progress(killed)}"
        run_to_the_end(fake.url, killed, tmp_path)
    # last_stats counts what the last run found new: after a killed run that stored rows, it found none; the
    # cursor's times are the moments its runs began (Central's clock), later for the killed warehouse's last run
    same = frozenset({"last_stats", "cursor"})
    assert snapshot(killed, ignore=same) == snapshot(reference, ignore=same), points
    [(reference_cursor,)], [(killed_cursor,)] = (cursors(url) for url in (reference, killed))
    times = ("since", "deleted_since", "reconciled_at")
    assert {k: v for k, v in killed_cursor.items() if k not in times} == \
        {k: v for k, v in reference_cursor.items() if k not in times}
    assert all(killed_cursor[k] >= reference_cursor[k] for k in ("since", "deleted_since")), points


def cursors(warehouse_url: str) -> list[tuple[dict]]:
    engine = make_engine(warehouse_url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(SyncCursor.cursor)).all()
    finally:
        engine.dispose()
