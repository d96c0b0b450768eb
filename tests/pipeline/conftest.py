"""The demo warehouse that several modules only read, built once for the test run."""

from __future__ import annotations

import dagster as dg
import pytest

from dagster_project.definitions import FORMS, build_definitions
from dagster_project.demo import seed_reference_uploads
from dagster_project.resources import WarehouseResource
from dagster_project.sources import DemoSource
from tests.conftest import TEST_PSEUDONYM_KEY


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """The monitoring job on the demo source as ``make demo`` runs it (the demo's reference files in the uploads
    folder), in Vietnamese, on a fresh SQLite warehouse: its result, its log lines and the warehouse's URL.
    Tests must not write to it."""
    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'warehouse.sqlite'}"
    instance = dg.DagsterInstance.ephemeral()
    with pytest.MonkeyPatch.context() as env:
        env.delenv("CLMS_LANGUAGE", raising=False)
        env.setenv("CLMS_REFERENCE_DIR", str(folder / "reference_uploads"))
        seed_reference_uploads()
        warehouse = WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY)
        defs = build_definitions(warehouse, {f: DemoSource() for f in FORMS})
        result = defs.resolve_job_def("monitoring_job").execute_in_process(instance=instance)
    assert result.success
    logs = [e.user_message for e in instance.all_logs(result.run_id) if e.dagster_event is None]
    return result, logs, url
