"""An ad-hoc report of a date range with a cut-off (``warehouse.indicators.range_cells``), through the
``progress_report`` asset; range 01/03/2026–31/05/2026, everything submitted by 2026-11-30.

Hand-worked on ``warehouse_state`` (province 20, Lạng Sơn): activities a1 (8 March, 50 participants; 35 new
parents and caregivers, 10 new children reached) and a2 (20 May, a training of 20; 15 commune officials newly
trained) are in the range, a3 (1 June: 25 new children) is not: 2 activities, 1 training, 70 participants;
2.2 (activities) counts 10 children informed where the year counts 35; 3.1b counts 15. The ten inspections are
of 1 April: 10.

On the household fixture (tests/pipeline/household_fixture.py), Hà Nội (province 01, one commune, 00004): H1
(03-10: c1, c2) and H2 (05-02: c3, c4, c5, c15) are in the range. 1.1 (vn_law) is c2, c3, c4, c15 of 6: 4 < 5,
suppressed. 2.2 (survey), 6/6, is suppressed by the disclosure policy: the commune has 2 households (2.1b's
denominator, below 5), so the commune's household-survey cells are hidden together, and the province, made of that
commune alone, with them; and Q1's and Q2's published 2.2 cells (2/2 and 4/4) are hidden.
"""

from __future__ import annotations

from datetime import date

import dagster as dg
import pytest
from sqlalchemy import select

from dagster_project.defs.reports.assets import progress_report
from dagster_project.resources import WarehouseResource
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.report import warehouse_state
from tests.report.conftest import PROVINCE
from tests.report.test_cutoff_and_approval import HANOI, build
from tests.report.warehouse_state import cell, suppressed
from warehouse.indicators.periods import DateRange
from warehouse.indicators.range_cells import protect_range_cells
from warehouse.report import gather_report
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import IndicatorValue

SPAN = DateRange(date(2026, 3, 1), date(2026, 5, 31))
CUTOFF = date(2026, 11, 30)


def survey_cell(report, indicator_id: str):
    [result] = [r for r in report.indicators if r.indicator_id == indicator_id and r.source == "household_survey"]
    return result.cell


def test_a_range_is_named_as_vietnamese_reports_do():
    assert SPAN.words("vi") == "từ 01/03/2026 đến 31/05/2026"
    assert SPAN.quarters == (1, 2) and DateRange.parse(SPAN.key) == SPAN
    with pytest.raises(ValueError, match="2026-12-01"):
        DateRange(date(2026, 12, 1), date(2027, 1, 31))


@pytest.mark.parametrize("hidden, shown", [("2026-Q2", False), ("2026-H1", False), ("2026-Q3", True)])
def test_a_range_cell_is_hidden_with_a_hidden_published_cell_it_overlaps(tmp_path, hidden, shown):
    """Inspections' 4.1a (not protected by the policy: establishments, not children), 3/10 in the range's copy:
    hidden when the published cell of a quarter or half the range overlaps is, not for Q3, which it does not."""
    published, copy = (make_engine(f"sqlite:///{tmp_path / name}.sqlite") for name in ("published", "copy"))
    for engine, row in ((published, suppressed("4.1a", "inspections", period=hidden)),
                        (copy, cell("4.1a", "inspections", 3, 10, 0.3))):
        upgrade(engine)
        with engine.begin() as conn:
            conn.execute(IndicatorValue.__table__.insert(), [row])
    protect_range_cells(copy, published, SPAN)
    with copy.connect() as conn:
        [(numerator, status)] = conn.execute(select(IndicatorValue.numerator, IndicatorValue.status)).all()
    assert (numerator, status) == ((3, "no_target") if shown else (None, "suppressed"))
    published.dispose()
    copy.dispose()


@pytest.fixture
def engine(warehouse_url):
    engine = build(warehouse_url)
    yield engine
    engine.dispose()


def test_a_range_hides_what_would_give_away_a_hidden_published_cell(engine):
    report = gather_report(engine, HANOI, SPAN, cutoff=CUTOFF, generated_on=CUTOFF)
    informed, labour = survey_cell(report, "2.2"), survey_cell(report, "1.1")
    assert (informed.period, informed.status, informed.numerator) == ("2026-03-01_2026-05-31", "suppressed", None)
    assert (labour.status, labour.numerator) == ("suppressed", None)
    assert report.cutoff == CUTOFF and report.approval.state == "provisional"


def test_a_range_counts_the_data_of_its_days(sqlite_engine):
    report = gather_report(sqlite_engine, PROVINCE, SPAN, cutoff=CUTOFF, generated_on=CUTOFF)
    a = report.activities
    assert (a.activities, a.trainings, a.participants) == (2, 1, 70)
    assert report.inspections.inspected == 10
    informed, trained = (next(r for r in report.indicators if r.indicator_id == i and r.source == "activities")
                         for i in ("2.2", "3.1b"))
    assert (informed.cell.numerator, trained.cell.numerator, informed.trend) == (10, 15, ())


def test_the_report_asset_takes_a_date_range(tmp_path):
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    warehouse_state.build(url).dispose()
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("report_area", ["province-20"])
    instance.add_dynamic_partitions("report_year", ["2026"])
    config = {"output_folder": str(tmp_path), "date_from": "2026-03-01", "date_to": "2026-05-31",
              "cutoff_date": CUTOFF.isoformat()}
    result = dg.materialize(
        [progress_report], instance=instance,
        resources={"warehouse": WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY)},
        partition_key=dg.MultiPartitionKey({"area": "province-20", "year": "2026"}),
        run_config={"ops": {"progress_report": {"config": config}}})
    assert result.success
    metadata = result.asset_materializations_for_node("progress_report")[0].metadata
    assert metadata["title"].value.endswith("trẻ em từ 01/03/2026 đến 31/05/2026 — Tỉnh Lạng Sơn")
    assert (metadata["activities"].value, metadata["data_cutoff"].value) == (2, "2026-11-30")
    stem = "bao-cao-province-20-2026-03-01_2026-05-31-vi-den-2026-11-30"
    assert sorted(p.name for p in (tmp_path / "province-20" / "2026").iterdir()) == [f"{stem}.html",
                                                                                      f"{stem}.xlsx"]
    page = (tmp_path / "province-20" / "2026" / f"{stem}.html").read_text(encoding="utf-8")
    assert "từ 01/03/2026 đến 31/05/2026" in page and "2026-03-01_2026-05-31" not in page
