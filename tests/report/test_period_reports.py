"""Reports of a quarter and a half-year (``warehouse.indicators.periods``), on the hand-made warehouse of
``warehouse_state``.

Worked by hand from ``warehouse_state``'s rows (province 20, 2026):
- Q2 (April–June): activities a2 (20 May, a training, 8 men and 12 women) and a3 (1 June, 30 not by sex): 2
  activities, 1 training, 50 participants; a1 (8 March) is Q1, a5 is in Hà Nội. The ten inspections are all of
  1 April. Cases identified c04, c05, c06, c07: 4, below 5, suppressed; followed up (a visit in April–June) c01,
  c04, c05, c07: 4, suppressed; closed: none, 0. 1.1's Q2 cell is suppressed. No expected report ends in Q2.
- H1 (January–June): a1, a2, a3: 3 activities, 100 participants. Cases identified c01–c07: 7 (4 child labourers,
  suppressed; 2 at risk and 1 trafficked, suppressed); followed up c00 (10 Jan), c01, c03, c04, c05, c07: 6;
  closed c00 (15 Jan): 1, suppressed. No 1.3 cell: no data, with Lạng Sơn's target > 90% (2025).
- Q3 (July–September): the three activity reports of 2026-Q3 and 05977's survey round ending 31 July (00004's is
  elsewhere); cases identified c08, c09, c10: 3, suppressed.
"""

import dagster as dg
import pytest

from dagster_project.defs.reports.assets import progress_report
from dagster_project.resources import WarehouseResource
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.report import warehouse_state
from tests.report.conftest import PRODUCED_ON, PROVINCE
from warehouse.indicators.periods import Period
from warehouse.report import gather_report
from warehouse.report.formatting import Formatter


def test_a_quarter_counts_what_happened_in_it(sqlite_engine):
    report = gather_report(sqlite_engine, PROVINCE, Period.parse("2026-Q2"), generated_on=PRODUCED_ON)
    assert Formatter.for_report(report, "vi").title(report) == (
        "Báo cáo kết quả thực hiện Chương trình phòng ngừa, giảm thiểu lao động trẻ em quý II/2026 — Tỉnh Lạng Sơn")
    a = report.activities
    assert (a.activities, a.trainings, a.participants, a.participants_male, a.participants_female) == (2, 1, 50, 8, 12)
    assert report.inspections.inspected == 10
    cases = report.cases
    assert (cases.identified.suppressed, cases.followed_up.value, cases.closed.value) == (True, 4, 0)  # c01 c04 c05 c07
    labour = next(r for r in report.indicators if r.indicator_id == "1.1")
    assert (labour.cell.period, labour.cell.status) == ("2026-Q2", "suppressed")
    assert [c.period for c in labour.periods] == ["2025", "2026-Q1", "2026-Q2"]  # the year itself is not a trend
    assert report.completeness.rows == ()


def test_a_half_year(sqlite_engine):
    report = gather_report(sqlite_engine, PROVINCE, Period.within(2026, "H1"), generated_on=PRODUCED_ON)
    assert Formatter.for_report(report, "vi").title(report).endswith("trẻ em 6 tháng đầu năm 2026 — Tỉnh Lạng Sơn")
    assert Formatter.for_report(report, "en").title(report).endswith("child labour, first half of 2026 — Tỉnh Lạng Sơn")
    assert (report.activities.activities, report.activities.participants) == (3, 100)
    cases = report.cases
    assert (cases.identified.value, cases.followed_up.value, cases.closed.suppressed) == (7, 6, True)
    assert [(code, n.value) for code, n in cases.by_type] == [("child_labourer", 4), ("at_risk", None),
                                                               ("trafficked", None)]  # as their cells are
    schooling = next(r for r in report.indicators if r.indicator_id == "1.3")
    assert (schooling.cell.period, schooling.cell.status, schooling.target.value) == ("2026-H1", "no_data", 0.9)


@pytest.mark.parametrize("part, words", [("Q3", "quý III/2026"), ("H2", "6 tháng cuối năm 2026")])
def test_a_data_manager_asks_for_a_period_of_the_year(tmp_path, part, words):
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    warehouse_state.build(url).dispose()
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("report_area", ["province-20"])
    instance.add_dynamic_partitions("report_year", ["2026"])
    result = dg.materialize(
        [progress_report], instance=instance,
        resources={"warehouse": WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY)},
        partition_key=dg.MultiPartitionKey({"area": "province-20", "year": "2026"}),
        run_config={"ops": {"progress_report": {"config": {"output_folder": str(tmp_path), "period": part}}}})
    assert result.success
    folder = tmp_path / "province-20" / "2026"
    assert sorted(p.name for p in folder.iterdir()) == [f"bao-cao-province-20-2026-{part}-vi.html",
                                                        f"bao-cao-province-20-2026-{part}-vi.xlsx"]
    [materialization] = result.asset_materializations_for_node("progress_report")
    assert materialization.metadata["title"].value.endswith(f"trẻ em {words} — Tỉnh Lạng Sơn")
    assert materialization.metadata["cases_identified"].value == "suppressed"  # c08–c10 in Q3; H2 the same
    page = (folder / f"bao-cao-province-20-2026-{part}-vi.html").read_text(encoding="utf-8")
    assert "Xã Đoàn Kết (mã 06001)" in page  # its activity report of 2026-Q3, missing
