"""``monitoring_job`` run the way users run it: ``dagster job execute`` with Dagster's multiprocess executor (as
the UI does), each step in its own process, on a fresh warehouse with the demo source."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from warehouse.db import make_engine
from warehouse.models import Household, IndicatorValue

ROOT = Path(__file__).resolve().parents[2]
DAGSTER = Path(sys.executable).with_name("dagster")


def test_monitoring_job_in_step_processes_on_a_fresh_warehouse(warehouse_url: str, tmp_path: Path) -> None:
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
