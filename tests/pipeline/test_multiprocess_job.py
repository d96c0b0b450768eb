"""``monitoring_job`` run the way users run it: ``dagster job execute`` with Dagster's multiprocess executor (as
the UI does), each step in its own process, on a fresh warehouse with the demo source; and two runs at once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dagster as dg
from sqlalchemy import func, select, text

from dagster_project.resources import WarehouseResource
from tests.conftest import TEST_PSEUDONYM_KEY
from warehouse.schema.db import make_engine, upgrade, warehouse_lock
from warehouse.schema.models import Household, IndicatorValue

ROOT = Path(__file__).resolve().parents[2]
DAGSTER = Path(sys.executable).with_name("dagster")


def test_monitoring_job_in_step_processes_on_a_fresh_warehouse(tmp_path: Path) -> None:
    """On the embedded default (SQLite), where processes share one file; PostgreSQL's migration and run locks are
    proved by the tests below and in tests/warehouse/test_db.py, without a second whole job in step processes."""
    warehouse_url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    home = tmp_path / "dagster_home"
    home.mkdir()
    env = {**os.environ, "DAGSTER_HOME": str(home), "CLMS_WAREHOUSE_URL": warehouse_url, "CLMS_SOURCE": "demo",
           "CLMS_REFERENCE_DIR": str(tmp_path / "reference_uploads"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [str(DAGSTER), "job", "execute", "-m", "dagster_project.definitions", "-j", "monitoring_job"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    assert "multiprocess" in done.stderr and "RUN_SUCCESS" in done.stderr
    assert "STEP_FAILURE" not in done.stderr
    engine = make_engine(warehouse_url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Household)).scalar() > 1000
        assert conn.execute(select(func.count(IndicatorValue.indicator_id.distinct()))).scalar() > 10
    engine.dispose()


@dg.asset
def writer(warehouse: WarehouseResource) -> None:
    with warehouse.engine().begin() as conn:
        conn.execute(text("SELECT 1"))


def materialize_writer(url: str, instance: dg.DagsterInstance, wait_minutes: float) -> dg.ExecuteInProcessResult:
    warehouse = WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY, lock_wait_minutes=wait_minutes)
    return dg.materialize([writer], resources={"warehouse": warehouse}, instance=instance, raise_on_error=False)


WAITING = "another run is writing `writer` into the warehouse: waiting until it has finished"


def said(instance: dg.DagsterInstance, message: str) -> bool:
    return any(message in e.user_message for run in instance.get_runs() for e in instance.all_logs(run.run_id))


def test_a_second_run_waits_while_another_writes_the_same_step(warehouse_url: str) -> None:
    """Two runs at once: the second run's step waits for the first run's (here, the lock held by the test)."""
    engine = make_engine(warehouse_url)
    upgrade(engine)
    instance = dg.DagsterInstance.ephemeral()
    with ThreadPoolExecutor(1) as pool:
        with warehouse_lock(engine, "step-writer"):
            second = pool.submit(materialize_writer, warehouse_url, instance, 5)
            deadline = time.monotonic() + 120
            while not said(instance, WAITING) and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1)
            assert said(instance, WAITING) and not second.done()
        assert second.result(timeout=120).success
    engine.dispose()


def test_a_second_run_stops_with_a_plain_message_past_the_wait(warehouse_url: str) -> None:
    engine = make_engine(warehouse_url)
    upgrade(engine)
    instance = dg.DagsterInstance.ephemeral()
    with warehouse_lock(engine, "step-writer"):
        result = materialize_writer(warehouse_url, instance, 0.01)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_failure_data.error.message.startswith(
        "dagster._core.definitions.events.Failure: another run has been writing `writer` into the warehouse for "
        "0.01 minutes: this run stops here")
    assert materialize_writer(warehouse_url, instance, 0.01).success  # once the other run has finished
    engine.dispose()
