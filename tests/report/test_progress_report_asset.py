"""The partitioned ``progress_report`` asset, the sensor that registers its areas, and their place in the code
location."""

import importlib

import dagster as dg
import pytest
from openpyxl import load_workbook
from sqlalchemy import insert

from dagster_project.defs.reports.assets import progress_report
from dagster_project.defs.reports.sensors import report_area_partitions
from dagster_project.resources import WarehouseResource
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.report import warehouse_state
from warehouse.schema.models import IndicatorValue

AREAS_WITH_DATA = ["commune-00004", "commune-05977", "commune-05983", "commune-06001", "legacy-province-89",
                   "province-20"]


@pytest.fixture
def warehouse(tmp_path) -> WarehouseResource:
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    warehouse_state.build(url).dispose()
    return WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY)


def test_materialize_one_area_and_year(warehouse, tmp_path):
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("report_area", ["province-20", "commune-05977"])
    instance.add_dynamic_partitions("report_year", ["2026"])
    result = dg.materialize(
        [progress_report], instance=instance, resources={"warehouse": warehouse},
        partition_key=dg.MultiPartitionKey({"area": "province-20", "year": "2026"}),
        run_config={"ops": {"progress_report": {"config": {"output_folder": str(tmp_path / "reports")}}}})
    assert result.success
    folder = tmp_path / "reports" / "province-20" / "2026"
    assert sorted(p.name for p in folder.iterdir()) == ["bao-cao-province-20-2026-vi.html",
                                                        "bao-cao-province-20-2026-vi.xlsx"]
    [materialization] = result.asset_materializations_for_node("progress_report")
    metadata = materialization.metadata
    assert metadata["workbook"].value == str((folder / "bao-cao-province-20-2026-vi.xlsx").resolve())
    assert metadata["html_page"].value == str((folder / "bao-cao-province-20-2026-vi.html").resolve())
    assert metadata["title"].value.endswith("năm 2026 — Tỉnh Lạng Sơn")
    table = metadata["indicators"].value
    assert table.splitlines()[0] == "| Mã | Chỉ tiêu | Nguồn số liệu | Kết quả đạt được | Chỉ tiêu kế hoạch | " \
                                    "Chênh lệch so với chỉ tiêu | Đánh giá |"
    assert ("| 1.1 | Tỷ lệ lao động trẻ em và người chưa thành niên từ 5 đến 17 tuổi | Khảo sát hộ gia đình | "
            "12,0% | ≤ 4,5% (2030) | +7,5 điểm % | Chưa đạt |") in table
    assert (metadata["indicators_with_data"].value, metadata["communes"].value, metadata["activities"].value,
            metadata["establishments_inspected"].value, metadata["cases_identified"].value) == (5, 3, 3, 10, 10)
    assert metadata["status_of_indicators"].value["Đạt chỉ tiêu"] == 1
    assert load_workbook(folder / "bao-cao-province-20-2026-vi.xlsx")["Chỉ tiêu"]["D2"].value == 46


def test_english_report_of_a_commune(warehouse, tmp_path):
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("report_area", ["commune-05977"])
    instance.add_dynamic_partitions("report_year", ["2026"])
    result = dg.materialize(
        [progress_report], instance=instance, resources={"warehouse": warehouse},
        partition_key=dg.MultiPartitionKey({"area": "commune-05977", "year": "2026"}),
        run_config={"ops": {"progress_report": {"config": {"output_folder": str(tmp_path), "language": "en"}}}})
    assert result.success
    page = (tmp_path / "commune-05977" / "2026" / "bao-cao-commune-05977-2026-en.html").read_text(encoding="utf-8")
    assert "Progress report on the Programme on preventing and reducing child labour, 2026 — Phường Đông Kinh" in page
    [materialization] = result.asset_materializations_for_node("progress_report")
    assert materialization.metadata["cases_identified"].value == "suppressed"  # 4 cases


def test_sensor_registers_every_area_with_indicators_and_every_year_once(warehouse):
    """The years: the target's 2025 and the yearly cells' 2025 and 2026 (quarters are not years)."""
    instance = dg.DagsterInstance.ephemeral()
    with dg.build_sensor_context(instance=instance, resources={"warehouse": warehouse}) as context:
        result = report_area_partitions(context)
    areas, years = result.dynamic_partitions_requests
    assert (areas.partitions_def_name, list(areas.partition_keys)) == ("report_area", AREAS_WITH_DATA)
    assert (years.partitions_def_name, list(years.partition_keys)) == ("report_year", ["2025", "2026"])
    for request in (areas, years):
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    with dg.build_sensor_context(instance=instance, resources={"warehouse": warehouse}) as context:
        assert isinstance(report_area_partitions(context), dg.SkipReason)


def test_in_the_code_location_downstream_of_the_indicators(monkeypatch):
    monkeypatch.setenv("CLMS_SOURCE", "demo")
    import dagster_project.definitions as module

    defs = importlib.reload(module).defs
    graph = defs.resolve_asset_graph()
    node = graph.get(dg.AssetKey("progress_report"))
    assert node.group_name == "reports"
    assert dg.AssetKey("indicator_values") in node.parent_keys
    assert node.partitions_def.partitions_defs[0].partitions_def.name == "report_area"
    assert node.partitions_def.partitions_defs[1].partitions_def.name == "report_year"
    assert defs.resolve_sensor_def("report_area_partitions")
    assert dg.AssetKey("progress_report") not in defs.resolve_job_def("monitoring_job").asset_layer.asset_graph \
        .executable_asset_keys


def test_a_2016_2020_plan_period_is_reported(warehouse, tmp_path):
    """A 2016–2020 plan (Ninh Thuận's Youth Union) has no numeric target: its years come from its data. With
    a 2016 cell of old An Giang (2.1a: 7 of 10 teachers informed, 70.0%) next to the fixture's 2025–2026 cells
    and 2025 target, the sensor registers every year 2016–2026 (the gap years too: a plan period is whole), and
    the 2016 report of that old province is produced with 70,0% and no target."""
    with warehouse.engine().begin() as conn:
        conn.execute(insert(IndicatorValue), [warehouse_state.cell(
            "2.1a", "activities", 7, 10, 0.7, period="2016", level="province", code="89", version="vn-legacy")])
    instance = dg.DagsterInstance.ephemeral()
    with dg.build_sensor_context(instance=instance, resources={"warehouse": warehouse}) as context:
        result = report_area_partitions(context)
    for request in result.dynamic_partitions_requests:
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    assert instance.get_dynamic_partitions("report_year") == [str(y) for y in range(2016, 2027)]
    result = dg.materialize(
        [progress_report], instance=instance, resources={"warehouse": warehouse},
        partition_key=dg.MultiPartitionKey({"area": "legacy-province-89", "year": "2016"}),
        run_config={"ops": {"progress_report": {"config": {"output_folder": str(tmp_path)}}}})
    assert result.success
    [materialization] = result.asset_materializations_for_node("progress_report")
    assert "năm 2016" in materialization.metadata["title"].value
    [row] = [line for line in materialization.metadata["indicators"].value.splitlines() if "| 2.1a |" in line]
    assert row.endswith("| Báo cáo hoạt động | 70,0% |  |  | Chưa giao chỉ tiêu |")
