"""``make demo`` drops the demo's programme registers where a data manager would, and the reference job (which
the uploads sensor starts) loads them: An Giang's nine ILO pilot communes and two demo models, Hà Nội's and An
Giang's responsible sectors, budget lines of old An Giang, old Hà Nội and Phường Mỹ Thới."""

import dagster as dg
import pytest

from dagster_project.defs.jobs import REFERENCE_KINDS
from dagster_project.defs.reference.assets import budget_lines, indicator_responsibility, programme_sites
from dagster_project.demo import seed_reference_uploads
from dagster_project.resources import ReferenceFiles, WarehouseResource
from tests.conftest import TEST_PSEUDONYM_KEY
from warehouse.reference import programme_registers as reg


def test_the_demo_registers_are_dropped_and_loaded(tmp_path, monkeypatch):
    uploads = tmp_path / "uploads"
    monkeypatch.setenv("CLMS_REFERENCE_DIR", str(uploads))
    seed_reference_uploads()
    assert set(reg.COLUMNS) <= set(REFERENCE_KINDS)  # the sensor watches their folders
    result = dg.materialize([programme_sites, indicator_responsibility, budget_lines], resources={
        "warehouse": WarehouseResource(url=f"sqlite:///{tmp_path / 'w.sqlite'}", pseudonym_key=TEST_PSEUDONYM_KEY),
        "reference_files": ReferenceFiles(folder=str(uploads))})
    assert result.success
    rows = {name: result.asset_materializations_for_node(name)[0].metadata["dagster/row_count"].value
            for name in ("programme_sites", "indicator_responsibility", "budget_lines")}
    assert rows == {"programme_sites": 9 + 2, "indicator_responsibility": 12 + 11, "budget_lines": 5 + 5 + 1 + 2}


@pytest.fixture(autouse=True)
def vietnamese(monkeypatch):
    monkeypatch.delenv("CLMS_LANGUAGE", raising=False)
