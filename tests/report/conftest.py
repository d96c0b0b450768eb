"""A hand-made warehouse (``warehouse_state``) and the reports gathered from it."""

from datetime import date

import pytest

from tests.report import warehouse_state
from warehouse.report import ReportArea, gather_report

PROVINCE = ReportArea("province", warehouse_state.PROVINCE, warehouse_state.VERSION)
COMMUNE = ReportArea("commune", "05977", warehouse_state.VERSION)
LEGACY_PROVINCE = ReportArea("province", "89", "vn-legacy")
PRODUCED_ON = date(2026, 11, 20)


@pytest.fixture
def report_engine(warehouse_url):
    """The hand-made warehouse on each backend."""
    engine = warehouse_state.build(warehouse_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    """The hand-made warehouse on SQLite, for what does not depend on the backend (rendering)."""
    engine = warehouse_state.build(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    yield engine
    engine.dispose()


@pytest.fixture
def province_report(sqlite_engine):
    return gather_report(sqlite_engine, PROVINCE, warehouse_state.YEAR, generated_on=PRODUCED_ON)


@pytest.fixture
def commune_report(sqlite_engine):
    return gather_report(sqlite_engine, COMMUNE, warehouse_state.YEAR, generated_on=PRODUCED_ON)
