"""The programme registers in a progress report, with every figure worked by hand from a small fixture.

Hà Nội (province 01, vn-2025-07, 126 new communes), 2026. Households, loaded through the real cleaning and
classifying steps:
- H1 in 00008 Phường Ngọc Hà: five boys of 16 working 48 h a week in a workshop (child labour under vn_law: over
  the 40 h a week allowed at 15–17) and a girl of 9 not working; H2 in 00008: a girl of 8 not working;
- H3 in 00004 Phường Ba Đình: five such boys and five girls of 9 not working;
- H4 in 00025 Phường Giảng Võ: ten girls of 9 not working.
Programme sites: HN-MOHINH, a model at 00008 from 2025-07-01 (open); HN-CU, a model that ended in 2024 (not shown).

1.1 vn_law, pilot communes (00008 alone): 5 of 7 children = 71.43 %, Wilson 95 % interval:
  p = 5/7, n = 7, z² = 3.8415; centre = (p + z²/2n) / (1 + z²/n) = (0.71429 + 0.27439) / 1.54878 = 0.63836;
  half-width = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n) = 1.95996 · √(0.029155 + 0.019599) / 1.54878 = 0.27942;
  interval 35.89 %–91.78 %.
1.1 vn_law, the other 125 communes: 5 (H3) of 10 + 0 + 10 (H4) = 5 of 20 = 25 %.

Sectors (register rows for province 01, vn-2025-07, uploaded education first): 1.1 labour; 2.2 community labour;
2.2 school education: labour's rows come first (the register's order of sectors), each in catalogue order.

Budget 2026 (province 01 and its communes; other years and provinces left out):
- communication: province, state budget 900,000,000 spent 615,000,000; province, donor 100,000,000 not reported:
  allocated 1,000,000,000, spent 615,000,000 of the 900,000,000 that reported = 68.33 %;
- models: commune 00008, 60,000,000 spent 25,000,000 = 41.67 %;
- total: allocated 1,060,000,000, spent 640,000,000 of 960,000,000 reported = 66.67 %, 100,000,000 unreported.
Old Hà Nội (legacy province 01): old Phúc Xá's training 30,000,000 (12,000,000 spent) and Ngọc Hà's models:
90,000,000 allocated, 37,000,000 spent.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from connectors.odk_central.rows import record_from_odata_row
from tests.pipeline.household_fixture import child, household, work
from tests.warehouse.test_legacy_units import load
from warehouse.indicators.periods import Period
from warehouse.reference import reference_data as ref
from warehouse.report import ReportArea, build_workbook, gather_report, render_html
from warehouse.report.programme import OTHERS, PILOT, _units, group_members
from warehouse.schema.admin_units import LEGACY, load_admin_units
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import AreaCommune

CURRENT = load_admin_units().code_list_version
YEAR = 2026
WORKSHOP = work("factory_workshop", 8, 48, "workshop_factory", "industry_construction")
HANOI = ReportArea("province", "01", CURRENT)


def rows() -> list[dict]:
    working = [child(f"w{i}", 16, "male", WORKSHOP) for i in range(5)]
    return [household(1, "00008", "01", "03-10", [*working, child("g1", 9, "female")]),
            household(2, "00008", "01", "03-11", [child("g2", 8, "female")]),
            household(3, "00004", "01", "03-12", [*working, *(child(f"g{i}", 9, "female") for i in range(3, 8))]),
            household(4, "00025", "01", "03-13", [child(f"h{i}", 9, "female") for i in range(10)])]


def site(programme: str, commune: str, start: date, end: date | None = None) -> dict:
    return {"programme_id": programme, "programme_name": f"Mô hình {programme}", "site_kind": "model",
            "area_level": "commune", "area_code": commune, "code_list_version": CURRENT,
            "valid_from": start, "valid_to": end, "source_document": "Kế hoạch 195/KH-UBND (Hà Nội)"}


def responsibility(indicator: str, part: str, sector: str) -> dict:
    return {"indicator_id": indicator, "jurisdiction_level": "province", "jurisdiction_code": "01",
            "code_list_version": CURRENT, "part": part, "sector": sector, "agency": f"Sở {sector}",
            "source_document": "Kế hoạch 195/KH-UBND (Hà Nội)"}


def budget(level: str, code: str, year: int, line: str, source: str, allocated: int, spent: int | None) -> dict:
    return {"area_level": level, "area_code": code, "code_list_version": CURRENT, "year": year,
            "activity_line": line, "funding_source": source, "allocated": allocated, "spent": spent,
            "source_document": "demo"}


@pytest.fixture
def report_engine(warehouse_url):
    engine = load(warehouse_url, [record_from_odata_row(row, 1, "household_survey") for row in rows()])
    ref.store_uploads(engine, "programme_sites", {"sites.csv": [
        site("HN-MOHINH", "00008", date(2025, 7, 1)), site("HN-CU", "00004", date(2022, 1, 1), date(2024, 12, 31))]})
    ref.store_uploads(engine, "responsible_sectors", {"sectors.csv": [
        responsibility("2.2", "school", "education"), responsibility("1.1", "all", "labour"),
        responsibility("2.2", "community", "labour")]})
    ref.store_uploads(engine, "budget_lines", {"budget.csv": [
        budget("province", "01", YEAR, "communication", "state_budget", 900_000_000, 615_000_000),
        budget("province", "01", YEAR, "communication", "donor", 100_000_000, None),
        budget("commune", "00008", YEAR, "models", "state_budget", 60_000_000, 25_000_000),
        budget("commune", "00008", YEAR - 1, "models", "state_budget", 50_000_000, 50_000_000),
        budget("province", "20", YEAR, "training", "state_budget", 70_000_000, 1),
        {**budget("commune", "00001", YEAR, "training", "state_budget", 30_000_000, 12_000_000),
         "code_list_version": LEGACY}]})
    yield engine
    engine.dispose()


def test_pilot_communes_against_the_others(report_engine):
    report = gather_report(report_engine, HANOI, YEAR)
    (comparison,) = report.programme.comparisons  # HN-CU ended in 2024
    assert (comparison.programme_id, comparison.sites, comparison.pilot_communes, comparison.other_communes) == (
        "HN-MOHINH", ("Phường Ngọc Hà",), 1, 125)
    rate = next(c for c in comparison.indicators if c.indicator_id == "1.1")
    assert (rate.pilot.numerator, rate.pilot.denominator, rate.others.numerator, rate.others.denominator) == (
        5, 7, 5, 20)
    assert rate.pilot.value == pytest.approx(5 / 7) and rate.others.value == pytest.approx(0.25)
    assert (round(rate.pilot.ci_low, 4), round(rate.pilot.ci_high, 4)) == (0.3589, 0.9178)
    assert rate.pilot.exact_territory and rate.others.exact_territory


def test_indicators_by_responsible_sector(report_engine):
    report = gather_report(report_engine, HANOI, YEAR)
    split = [(r.sector, r.result.indicator_id, r.part) for r in report.programme.responsibilities]
    assert list(dict.fromkeys(split)) == [("labour", "1.1", "all"), ("labour", "2.2", "community"),
                                          ("education", "2.2", "school")]
    rate = next(r.result for r in report.programme.responsibilities if r.result.indicator_id == "1.1")
    assert (rate.cell.numerator, rate.cell.denominator) == (10, 27)  # the province's own cell: 5 + 5 of 7 + 20


def test_budget_allocated_against_spent(report_engine):
    report = gather_report(report_engine, HANOI, YEAR)
    assert [(b.activity_line, b.allocated, b.spent, b.unreported) for b in report.programme.budget] == [
        ("communication", 1_000_000_000, 615_000_000, 100_000_000),
        ("models", 60_000_000, 25_000_000, 0),
        ("", 1_060_000_000, 640_000_000, 100_000_000)]
    assert [round(b.share_spent, 4) for b in report.programme.budget] == [0.6833, 0.4167, 0.6667]
    # old Hà Nội: its old commune Phúc Xá's 30,000,000 (12,000,000 spent) and new Ngọc Hà's, not new Hà Nội's own
    old = gather_report(report_engine, ReportArea("province", "01", LEGACY), YEAR).programme.budget
    assert [(b.activity_line, b.allocated, b.spent) for b in old] == [
        ("training", 30_000_000, 12_000_000), ("models", 60_000_000, 25_000_000), ("", 90_000_000, 37_000_000)]


def test_the_workbook_and_page_show_the_three_sections_in_vietnamese(report_engine):
    report = gather_report(report_engine, HANOI, YEAR)
    workbook = build_workbook(report)
    sheet = workbook["Thí điểm, ngành, kinh phí"]
    text = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "So sánh xã thí điểm, mô hình với các xã khác: Mô hình HN-MOHINH" in text
    assert "Phường Ngọc Hà" in " ".join(text)
    assert "Ngành Lao động - Thương binh và Xã hội" in text and "Ngành Giáo dục và Đào tạo" in text
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True) if row[0] is not None}
    assert rows["1.1"][3:6] == (5, 7, pytest.approx(5 / 7)) and rows["1.1"][8:11] == (5, 20, 0.25)
    assert rows["Truyền thông, giáo dục, vận động"][1:5] == (1_000_000_000, 615_000_000, pytest.approx(615 / 900),
                                                            100_000_000)
    assert rows["Tổng cộng"][1:5] == (1_060_000_000, 640_000_000, pytest.approx(640 / 960), 100_000_000)
    page = render_html(report)
    for words in ("So sánh xã thí điểm, mô hình với các xã khác", "Chỉ tiêu theo ngành chịu trách nhiệm",
                  "Kinh phí được giao và đã chi", "71,4%", "25,0%", "68,3%"):
        assert words in page, words


def test_a_new_commune_formed_partly_from_pilot_communes_is_an_approximate_pilot_commune(warehouse_url):
    """An Giang's ILO sites Mỹ An (30655) and An Thạnh Trung (30670) went, with the old Long Kiến (30664, not a
    pilot), into the new Xã Long Kiến (30664): a pilot commune, not exact. Rows with the old codes count in the
    group of their old commune, exactly: Mỹ An's as pilot, old Long Kiến's as others."""
    engine = make_engine(warehouse_url)
    upgrade(engine)
    legacy = ref.load_legacy_units()
    ref.store_legacy_communes(engine, ref.legacy_commune_rows(legacy))
    ref.store_area_communes(engine, ref.area_communes(load_admin_units(), legacy, {("province", "89")}))
    with engine.connect() as conn:
        units = _units(conn)
        area = dict(conn.execute(select(AreaCommune.commune_code, AreaCommune.exact).where(
            AreaCommune.area_level == "province", AreaCommune.area_code == "89",
            AreaCommune.code_list_version == LEGACY)).all())
    engine.dispose()
    sites = [SimpleNamespace(area_level="commune", area_code=code, code_list_version=LEGACY)
             for code in ("30655", "30670")]
    members = group_members(sites, area, units, legacy_present={"30655", "30664"})
    groups = {r.commune_code: (r.area_code, r.exact) for r in members.itertuples()}
    assert groups["30664"] == (PILOT, False)
    assert groups["L30655"] == (PILOT, True) and groups["L30664"] == (OTHERS, True)
    assert sum(group == PILOT for group, _ in groups.values()) == 2


def test_a_report_with_a_cut_off_keeps_its_registers(report_engine):
    """The cut-off copy of the warehouse (``warehouse.indicators.cutoff``) holds the registers: the same figures."""
    whole = gather_report(report_engine, HANOI, YEAR).programme
    cut = gather_report(report_engine, HANOI, YEAR, cutoff=date(2099, 12, 31)).programme
    assert cut == whole and cut.comparisons and cut.responsibilities and cut.budget


def test_the_section_speaks_english_when_asked(report_engine):
    page = render_html(gather_report(report_engine, HANOI, YEAR), "en")
    for words in ("Pilot and model communes against the other communes: Mô hình HN-MOHINH",
                  "Labour, invalids and social affairs sector", "In schools", "Communication and advocacy",
                  "Budget allocated and spent, 2026", "71.4%", "68.3%"):
        assert words in page, words


def test_a_quarter_s_report_compares_the_quarter(report_engine):
    """Every household was interviewed in March: 2026-Q1 has the year's figures, 2026-Q3 none."""
    first = gather_report(report_engine, HANOI, Period.parse("2026-Q1")).programme.comparisons[0]
    rate = next(c for c in first.indicators if c.indicator_id == "1.1")
    assert (rate.pilot.period, rate.pilot.numerator, rate.pilot.denominator, rate.others.numerator,
            rate.others.denominator) == ("2026-Q1", 5, 7, 5, 20)
    third = gather_report(report_engine, HANOI, Period.parse("2026-Q3")).programme.comparisons[0]
    assert not [c for c in third.indicators if c.source == "household_survey"]


def test_a_quarter_s_report_says_its_budget_is_the_year_s(report_engine):
    """Budget lines are yearly: a quarter's report shows the year's and says so, Vietnamese first; a year's does
    not need to."""
    note = "Kinh phí chỉ được ghi theo năm: đây là số liệu cả năm 2026, không riêng quý I/2026."
    quarter = gather_report(report_engine, HANOI, Period.parse("2026-Q1"))
    assert quarter.programme.budget == gather_report(report_engine, HANOI, YEAR).programme.budget
    assert note in render_html(quarter, "vi")
    sheet = build_workbook(quarter)["Thí điểm, ngành, kinh phí"]
    assert note in [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert "the whole of 2026, not of Q1 2026 alone" in render_html(quarter, "en")
    assert "chỉ được ghi theo năm" not in render_html(gather_report(report_engine, HANOI, YEAR), "vi")
