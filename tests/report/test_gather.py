"""What a progress report gathers from the warehouse, on SQLite and PostgreSQL (numbers in ``warehouse_state``)."""

import pytest

from connectors.forms import CASE_FOLLOWUP, definition
from tests.report.conftest import COMMUNE, LEGACY_PROVINCE, PROVINCE
from tests.report.warehouse_state import TARGET_DOC, YEAR
from warehouse.indicators.indicators import load_settings
from warehouse.report import ReportArea, areas_with_data, gather_report
from warehouse.report.cases import CASE_STATUSES, CASE_TYPES, CLOSURE_REASONS
from warehouse.report.counts import Count
from warehouse.report.indicator_results import TargetInForce

SUPPRESSED = Count(None)


def result(report, indicator_id: str, source: str):
    return next(r for r in report.indicators if (r.indicator_id, r.source) == (indicator_id, source))


def test_every_indicator_of_the_catalogue_in_catalogue_order(report_engine):
    report = gather_report(report_engine, PROVINCE, YEAR)
    assert [(r.indicator_id, r.source) for r in report.indicators] == [
        (s.indicator_id, s.source) for s in load_settings().specs]
    assert report.details.name == "Tỉnh Lạng Sơn"
    assert [c.code for c in report.details.communes] == ["05977", "05983", "06001"]


def test_indicator_with_target_trend_and_breakdowns(report_engine):
    r = result(gather_report(report_engine, PROVINCE, YEAR), "1.1", "household_survey")
    assert r.rule_set == "vn_law"  # the icls cell (30/382) is not the one reported
    assert (r.cell.numerator, r.cell.denominator, r.cell.value) == (46, 382, pytest.approx(46 / 382))
    assert (r.cell.ci_low, r.cell.ci_high, r.cell.status) == (0.0915, 0.1569, "off_track")
    assert r.target == TargetInForce("<=", 0.045, 2030, TARGET_DOC)
    assert r.gap == pytest.approx(46 / 382 - 0.045)
    assert [(c.period, c.numerator, c.denominator, c.status) for c in r.trend] == [
        ("2025", 28, 281, "off_track"), ("2026-Q1", 10, 90, "off_track"), ("2026-Q2", None, None, "suppressed")]
    assert [(g.code, g.name, g.cell.numerator, g.cell.status) for g in r.by_commune] == [
        ("05977", "Phường Đông Kinh", 20, "no_target"), ("05983", "Phường Lương Văn Tri", None, "suppressed"),
        ("06001", "Xã Đoàn Kết", 22, "no_target")]  # 00004 (Hà Nội) is not in Lạng Sơn
    assert [(g.code, g.cell.numerator, g.cell.denominator) for g in r.by_sex] == [("male", 17, 200),
                                                                                  ("female", 29, 182)]
    assert [(g.code, g.cell.value is None) for g in r.by_age_band] == [("5-12", False), ("13-14", True),
                                                                       ("15-17", False)]
    assert [(g.code, g.cell.numerator, g.cell.denominator) for g in r.by_work_sector] == [  # the form's order
        ("agriculture_forestry_fishery", 21, 30), ("industry_construction", None, None), ("services", 25, 40),
        ("not_working", 0, 300)]
    assert [(g.code, g.cell.numerator, g.cell.denominator) for g in r.by_craft_village] == [("yes", 20, 60),
                                                                                           ("no", 26, 322)]


def test_missing_cells_say_no_data_and_keep_their_target(report_engine):
    report = gather_report(report_engine, PROVINCE, YEAR)
    education = result(report, "1.3", "cases")
    assert (education.cell.status, education.cell.value, education.trend) == ("no_data", None, ())
    assert education.target == TargetInForce(">", 0.9, 2025, TARGET_DOC)
    assert not education.has_data
    trained = result(report, "3.1a", "activities")
    assert (trained.cell.status, trained.target) == ("no_data", None)


def test_no_denominator_keeps_its_numerator_and_days_have_no_denominator(report_engine):
    report = gather_report(report_engine, PROVINCE, YEAR)
    informed = result(report, "2.1a", "activities")
    assert (informed.cell.numerator, informed.cell.denominator, informed.cell.status) == (12, None, "no_denominator")
    days = result(report, "4.2b", "cases")
    assert (days.unit, days.cell.value, days.cell.numerator, days.cell.denominator) == ("days", 12.5, 9, None)


def test_activities_of_the_area_and_year(report_engine):
    a = gather_report(report_engine, PROVINCE, YEAR).activities
    assert (a.activities, a.trainings, a.participants) == (3, 1, 100)
    assert (a.participants_male, a.participants_female, a.participants_sex_not_reported) == (28, 42, 30)
    assert [(t.code, t.activities, t.participants) for t in a.by_type] == [("communication_event", 2, 80),
                                                                           ("training_course", 1, 20)]
    assert {(g.code, g.activities, g.reached, g.reached_new, g.trained_new) for g in a.by_audience} == {
        ("children", 2, 40, 35, 0), ("parents_caregivers", 1, 40, 35, 0), ("commune_officials", 1, 20, 15, 15)}
    assert (a.reached_new, a.trained_new) == (85, 15)


def test_establishments_counted_in_full_young_workers_protected(report_engine):
    """Counts of establishments identify no child (disclosure.toml): shown however small; young workers are
    children: the child labourers among them are 1.1h's denominator, shown as its cell is."""
    i = gather_report(report_engine, PROVINCE, YEAR).inspections
    assert (i.inspected, i.violation, i.sanctioned, i.young_workers) == (10, Count(6), Count(5), Count(7))
    assert (i.child_labour, i.fined, i.young_child_labourers) == (Count(3), Count(3), SUPPRESSED)  # the cell's
    assert i.fines_total is None  # three fines would tell each one's amount
    enterprises = i.by_establishment_type[0]
    assert (enterprises.code, enterprises.inspected, enterprises.violation) == ("enterprise", 7, Count(4))


def test_cases_counted_by_the_cells_that_count_them(report_engine):
    """Identified and by type are 4.2d's denominators, supported in time 1.2's numerator (9, where the records give
    8: the cell is what was published), closed 4.2c's count: a suppressed cell's count is suppressed in the summary
    too, and so are the parts of a suppressed total."""
    c = gather_report(report_engine, PROVINCE, YEAR).cases
    assert (c.identified, c.supported_in_time, c.followed_up, c.closed) == (Count(10), Count(9), Count(6), SUPPRESSED)
    assert c.by_type == (("child_labourer", Count(6)), ("at_risk", Count(3)), ("trafficked", SUPPRESSED))
    assert dict(c.by_status) == {"open": Count(1), "supported": Count(2), "monitoring": Count(5),
                                 "closed": Count(2)}  # no cell holds them: a province's are shown
    assert [code for code, _ in c.closed_by_reason] == list(CLOSURE_REASONS)  # every reason, rare ones too
    assert all(count == SUPPRESSED for _, count in c.closed_by_reason)  # their total is suppressed


def test_commune_report(report_engine):
    report = gather_report(report_engine, COMMUNE, YEAR)
    assert (report.details.name, report.details.parent_name) == ("Phường Đông Kinh", "Tỉnh Lạng Sơn")
    assert all(r.by_commune == () for r in report.indicators)
    assert (report.activities.activities, report.activities.participants) == (1, 50)
    assert (report.inspections.inspected, report.inspections.violation) == (3, Count(2))  # i01, i08: not hidden
    assert report.cases.identified == SUPPRESSED  # 4 cases: the cell is suppressed


def test_a_commune_shows_no_count_of_children_that_no_cell_holds(report_engine):
    """Cases by status, closures by reason, cases followed up, young workers: a commune's would be the province's
    minus its other communes', so they are shown for provinces only, however large."""
    report = gather_report(report_engine, COMMUNE, YEAR)
    c = report.cases
    assert [c.followed_up, report.inspections.young_workers] == [SUPPRESSED] * 2
    assert {count for _, count in (*c.by_status, *c.closed_by_reason)} == {SUPPRESSED}
    assert c.closed == Count(0)  # no 4.2c cell: no case closed in the commune in the year


def test_old_territory(report_engine):
    report = gather_report(report_engine, LEGACY_PROVINCE, YEAR)
    assert (report.details.name, report.exact_territory) == ("Tỉnh An Giang", False)
    r = result(report, "1.1", "household_survey")
    assert (r.cell.numerator, r.cell.denominator, r.cell.exact_territory) == (18, 120, False)


def test_area_keys_and_areas_with_data(report_engine):
    for area in (PROVINCE, COMMUNE, LEGACY_PROVINCE):
        assert ReportArea.from_key(area.key, "vn-2025-07") == area
    assert [a.key for a in (PROVINCE, COMMUNE, LEGACY_PROVINCE)] == ["province-20", "commune-05977",
                                                                     "legacy-province-89"]
    assert [a.key for a in areas_with_data(report_engine, "vn-2025-07")] == [
        "commune-00004", "commune-05977", "commune-05983", "commune-06001", "legacy-province-89", "province-20"]
    with pytest.raises(ValueError, match="report area key 'district-1'"):
        ReportArea.from_key("district-1", "vn-2025-07")
    with pytest.raises(ValueError, match="no area province 99"):
        gather_report(report_engine, ReportArea("province", "99", "vn-2025-07"), YEAR)


def test_listed_codes_are_the_case_follow_up_form_codes():
    codes_of = definition(CASE_FOLLOWUP).codes
    for list_name, codes in (("case_type", CASE_TYPES), ("case_status", CASE_STATUSES),
                             ("closure_reason", CLOSURE_REASONS)):
        assert set(codes) == codes_of[list_name]
