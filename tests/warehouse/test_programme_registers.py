"""The programme registers uploaded as reference data: pilot and model sites, the sector responsible for each
indicator, budget lines. Each file validated whole (every bad row listed, in Vietnamese by default), stored whole
and versioned, or refused with the warehouse kept as it was; the demo's files are valid."""

from datetime import date
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from sqlalchemy import select

from dagster_project.defs.reference.assets import budget_lines, indicator_responsibility, programme_sites
from dagster_project.resources import ReferenceFiles, WarehouseResource
from tests.conftest import TEST_PSEUDONYM_KEY
from warehouse.indicators.indicators import load_settings
from warehouse.infra.versioned import REFERENCE_DIR
from warehouse.reference import programme_registers as reg
from warehouse.reference import reference_data as ref
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.models import BudgetLine, IndicatorResponsibility, ProgrammeSite

UNITS, LEGACY = load_admin_units(), ref.load_legacy_units()
DEMO = REFERENCE_DIR / "demo"
ILO = "Dự án ILO"
HN_PLAN = "Kế hoạch 195/KH-UBND (Hà Nội)"


def write(folder: Path, kind: str, name: str, rows: list[list[str]]) -> Path:
    (folder / kind).mkdir(parents=True, exist_ok=True)
    path = folder / kind / name
    pd.DataFrame(rows, columns=reg.COLUMNS[kind]).to_csv(path, index=False)
    return path


def problems(kind: str, path: Path) -> tuple[str, ...]:
    validate = {reg.SITES: lambda f, n: reg.validate_sites(f, n, UNITS, LEGACY),
                reg.RESPONSIBILITY: lambda f, n: reg.validate_responsibility(f, n, set(load_settings().names),
                                                                            UNITS, LEGACY),
                reg.BUDGET: lambda f, n: reg.validate_budget(f, n, UNITS, LEGACY)}[kind]
    with pytest.raises(ref.ReferenceDataError) as refused:
        validate(ref.read_table(path, reg.COLUMNS[kind]), path.name)
    return refused.value.problems


def run(asset, url: str, folder: Path) -> dg.ExecuteInProcessResult:
    return dg.materialize([asset], raise_on_error=False, resources={
        "warehouse": WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY),
        "reference_files": ReferenceFiles(folder=str(folder))})


def rows_of(url: str, *columns) -> list[tuple]:
    engine = WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY).engine()
    with engine.connect() as conn:
        rows = conn.execute(select(*columns).order_by(*columns)).all()
    engine.dispose()
    return [tuple(r) for r in rows]


@pytest.fixture(autouse=True)
def vietnamese(monkeypatch):
    monkeypatch.delenv("CLMS_LANGUAGE", raising=False)


# ---------------------------------------------------------------- every bad row listed


def test_bad_site_rows_are_each_listed_with_their_row(tmp_path):
    path = write(tmp_path, reg.SITES, "thi_diem.csv", [
        ["ILO-AG", ILO, "pilot", "commune", "30325", "vn-legacy", "2021-01-01", "2025-12-31", "QĐ 1871"],  # good
        ["ILO AG", ILO, "pilot", "commune", "30325", "vn-legacy", "2021-01-01", "", "QĐ 1871"],  # space in the id
        ["ILO-AG", "", "trial", "commune", "99999", "vn-legacy", "2021-01-01", "", "QĐ 1871"],
        ["ILO-AG", ILO, "pilot", "district", "884", "vn-2025-07", "2021-13-01", "", ""],  # districts are old only
        ["ILO-AG", ILO, "model", "commune", "30319", "vn-legacy", "2022-01-01", "2021-12-31", "QĐ 1871"],
        ["ILO-AG", ILO, "pilot", "commune", "30325", "vn-legacy", "2021-01-01", "", "QĐ 1871"],  # repeats row 2
    ])
    assert problems(reg.SITES, path) == (
        "thi_diem.csv: dòng 3: programme_id phải gồm 1 đến 32 chữ cái, chữ số, '.', '_' hoặc '-'",
        "thi_diem.csv: dòng 4: chương trình 'ILO-AG' đã có tên hoặc loại khác ở dòng 2: mỗi chương trình một tên và "
        "một loại",
        "thi_diem.csv: dòng 4: cần điền programme_name",
        "thi_diem.csv: dòng 4: site_kind phải là một trong pilot, model",
        "thi_diem.csv: dòng 4: commune '99999' không có trong danh mục 'vn-legacy' (xã: vn-2025-07 hoặc vn-legacy; "
        "huyện cũ: vn-legacy)",
        "thi_diem.csv: dòng 5: cần điền source_document",
        "thi_diem.csv: dòng 5: district '884' không có trong danh mục 'vn-2025-07' (xã: vn-2025-07 hoặc "
        "vn-legacy; huyện cũ: vn-legacy)",
        "thi_diem.csv: dòng 5: valid_from phải là một ngày (2021-01-01), valid_to để trống hoặc là một ngày không "
        "trước valid_from",
        "thi_diem.csv: dòng 6: chương trình 'ILO-AG' đã có tên hoặc loại khác ở dòng 2: mỗi chương trình một tên và "
        "một loại",
        "thi_diem.csv: dòng 6: valid_from phải là một ngày (2021-01-01), valid_to để trống hoặc là một ngày không "
        "trước valid_from",
        "thi_diem.csv: dòng 7: trùng với dòng 2 (ILO-AG commune 30325 vn-legacy 2021-01-01)",
    )


def test_bad_responsibility_rows_are_each_listed_with_their_row(tmp_path):
    path = write(tmp_path, reg.RESPONSIBILITY, "nganh.csv", [
        ["2.2", "province", "01", "vn-legacy", "community", "labour", "Sở LĐTBXH", HN_PLAN],  # good
        ["9.9", "province", "01", "vn-legacy", "", "labour", "Sở LĐTBXH", HN_PLAN],
        ["2.2", "province", "01", "vn-legacy", "pupils", "schools", "", HN_PLAN],
        ["1.1", "district", "001", "vn-legacy", "", "labour", "Sở LĐTBXH", ""],
        ["2.2", "province", "01", "vn-legacy", "community", "education", "Sở GD&ĐT", HN_PLAN],  # repeats row 2
    ])
    assert problems(reg.RESPONSIBILITY, path) == (
        "nganh.csv: dòng 3: không có chỉ tiêu '9.9' trong danh mục",
        "nganh.csv: dòng 4: part phải là một trong all, community, school",
        "nganh.csv: dòng 4: sector phải là một trong labour, education, police, agriculture, industry_trade, "
        "information, youth_union, cooperatives, other",
        "nganh.csv: dòng 4: cần điền agency",
        "nganh.csv: dòng 5: jurisdiction_level phải là một trong national, province, commune",
        "nganh.csv: dòng 5: cần điền source_document",
        "nganh.csv: dòng 6: trùng với dòng 2 (2.2 province 01 vn-legacy community)",
    )


def test_bad_budget_rows_are_each_listed_and_separators_refused(tmp_path):
    path = write(tmp_path, reg.BUDGET, "kinh_phi.csv", [
        ["province", "89", "vn-legacy", "2025", "communication", "state_budget", "450000000", "", "QĐ giao dự toán"],
        ["province", "89", "vn-legacy", "2025", "training", "state_budget", "1.500.000", "1,2", "QĐ giao dự toán"],
        ["province", "89", "vn-2025-07", "25", "parties", "lottery", "-5", "abc", ""],
    ])
    assert problems(reg.BUDGET, path) == (
        "kinh_phi.csv: dòng 3: allocated: giá trị '1.500.000' có dấu phân cách hàng nghìn: hãy viết không có dấu "
        "(1500000)",
        "kinh_phi.csv: dòng 3: spent phải là số tiền nguyên (đồng), không có dấu phân cách, từ 0 đến "
        "1,000,000,000,000,000",
        "kinh_phi.csv: dòng 4: province '89' không có trong danh mục 'vn-2025-07' (dùng national/VN, vn-2025-07 "
        "hoặc vn-legacy)",
        "kinh_phi.csv: dòng 4: year phải là một năm từ 2000 đến 2100, ví dụ 2025",
        "kinh_phi.csv: dòng 4: activity_line phải là một trong communication, training, models, inspection, "
        "support, monitoring, coordination, other",
        "kinh_phi.csv: dòng 4: funding_source phải là một trong state_budget, donor, social, other",
        "kinh_phi.csv: dòng 4: cần điền source_document",
        "kinh_phi.csv: dòng 4: allocated phải là số tiền nguyên (đồng), không có dấu phân cách, từ 0 đến "
        "1,000,000,000,000,000",
        "kinh_phi.csv: dòng 4: spent phải là số tiền nguyên (đồng), không có dấu phân cách, từ 0 đến "
        "1,000,000,000,000,000",
    )


def test_the_demo_registers_are_valid():
    for kind in reg.COLUMNS:
        path = DEMO / f"{kind}_demo.csv"
        frame = ref.read_table(path, reg.COLUMNS[kind])
        validate = {reg.SITES: lambda: reg.validate_sites(frame, path.name, UNITS, LEGACY),
                    reg.RESPONSIBILITY: lambda: reg.validate_responsibility(frame, path.name,
                                                                            set(load_settings().names), UNITS, LEGACY),
                    reg.BUDGET: lambda: reg.validate_budget(frame, path.name, UNITS, LEGACY)}[kind]
        assert len(validate()) == len(frame)


# ---------------------------------------------------------------- stored whole, versioned, or refused


def test_the_registers_load_through_their_assets_and_a_refusal_keeps_them(warehouse_url, tmp_path):
    write(tmp_path, reg.SITES, "thi_diem.csv", [
        ["ILO-AG", ILO, "pilot", "commune", "30325", "vn-legacy", "2021-01-01", "2025-12-31", "QĐ 1871"],
        ["HN-MOHINH", "Mô hình", "model", "commune", "00008", "vn-2025-07", "2025-07-01", "", HN_PLAN]])
    write(tmp_path, reg.RESPONSIBILITY, "nganh.csv", [
        ["2.2", "province", "01", "vn-legacy", "community", "labour", "Sở LĐTBXH", HN_PLAN],
        ["2.2", "province", "01", "vn-legacy", "school", "education", "Sở GD&ĐT", HN_PLAN]])
    write(tmp_path, reg.BUDGET, "kinh_phi.csv", [
        ["province", "89", "vn-legacy", "2025", "models", "donor", "600000000", "512000000", "demo"],
        ["province", "89", "vn-legacy", "2026", "models", "donor", "650000000", "", "demo"]])
    for asset in (programme_sites, indicator_responsibility, budget_lines):
        assert run(asset, warehouse_url, tmp_path).success
    s, r, b = ProgrammeSite, IndicatorResponsibility, BudgetLine
    sites = [("00008", date(2025, 7, 1), None), ("30325", date(2021, 1, 1), date(2025, 12, 31))]
    assert rows_of(warehouse_url, s.area_code, s.valid_from, s.valid_to) == sites
    assert rows_of(warehouse_url, r.part, r.sector) == [("community", "labour"), ("school", "education")]
    assert rows_of(warehouse_url, b.year, b.allocated, b.spent) == [(2025, 600000000, 512000000),
                                                                   (2026, 650000000, None)]

    write(tmp_path, reg.BUDGET, "kinh_phi_2027.csv", [
        ["province", "89", "vn-legacy", "2027", "models", "donor", "700.000.000", "", "demo"]])
    refused = run(budget_lines, warehouse_url, tmp_path)
    assert not refused.success
    (event,) = [e for e in refused.all_events if e.is_step_failure]
    assert event.step_failure_data.user_failure_data.description.splitlines() == [
        "Kinh phí theo nhóm hoạt động: không nạp tệp nào, kho dữ liệu giữ nguyên số liệu cũ. Sửa các lỗi dưới đây "
        "rồi lưu lại tệp vào thư mục tải lên:",
        "- kinh_phi_2027.csv: dòng 2: allocated: giá trị '700.000.000' có dấu phân cách hàng nghìn: hãy viết không "
        "có dấu (700000000)"]
    assert rows_of(warehouse_url, b.year, b.allocated, b.spent) == [(2025, 600000000, 512000000),
                                                                   (2026, 650000000, None)]

    (tmp_path / reg.BUDGET / "kinh_phi_2027.csv").unlink()
    (tmp_path / reg.BUDGET / "kinh_phi.csv").unlink()  # the folder is the truth: its rows are withdrawn
    assert run(budget_lines, warehouse_url, tmp_path).success
    assert rows_of(warehouse_url, b.year) == []
