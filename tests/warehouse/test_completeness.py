"""Expected reporting (uploaded, validated whole, one expectation per period) and completeness: on time, late,
missing or not yet due at the deadline's boundary, in Vietnam time, the same on SQLite and PostgreSQL."""

from datetime import date, datetime

import pandas as pd
import pytest
from sqlalchemy import insert, select

from warehouse.indicators.periods import Period
from warehouse.quality.completeness import assess, build_completeness, received_on, store_completeness
from warehouse.reference import expected_reporting as er
from warehouse.reference import reference_data as ref
from warehouse.report.completeness import completeness_on
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import Activity, Inspection, RawSubmission, ReportingCompleteness, ReportingExpectation

UNITS = load_admin_units()
VERSION = UNITS.code_list_version
DEADLINE = date(2026, 4, 15)


def expectations_file(tmp_path, rows: list[list[str]], name: str = "plan.csv", excel: bool = False):
    path = tmp_path / name
    frame = pd.DataFrame(rows, columns=er.COLUMNS)
    frame.to_excel(path, index=False) if excel else frame.to_csv(path, index=False)
    return path


def validate(path):
    return er.validate(ref.read_table(path, er.COLUMNS), path.name, UNITS)


# ---------------------------------------------------------------- the deadline's boundary


def test_the_last_second_of_the_deadline_in_vietnam_is_on_time():
    assert received_on("2026-04-15T16:59:59.999Z", DEADLINE) == date(2026, 4, 15)  # 23:59:59 in Hà Nội
    assert received_on("2026-04-15T17:00:00.000Z", DEADLINE) == date(2026, 4, 16)  # midnight in Hà Nội
    assert received_on("2026-04-15T23:30:00+07:00", DEADLINE) == date(2026, 4, 15)
    assert received_on(None, date(2026, 5, 2)) == received_on("yesterday", date(2026, 5, 2)) == date(2026, 5, 2)


def test_on_time_late_missing_and_not_due():
    on_time = assess(1, [date(2026, 4, 15)], DEADLINE, date(2026, 4, 30))
    assert (on_time.status, on_time.received, on_time.on_time, on_time.late, on_time.missing,
            on_time.completed_on) == ("on_time", 1, 1, 0, 0, date(2026, 4, 15))
    late = assess(1, [date(2026, 4, 16)], DEADLINE, date(2026, 4, 30))
    assert (late.status, late.on_time, late.late, late.missing, late.completed_on) == (
        "late", 0, 1, 0, date(2026, 4, 16))
    # nothing yet: not due on the deadline itself, missing the day after
    assert assess(1, [], DEADLINE, DEADLINE).status == "not_due"
    missing = assess(1, [], DEADLINE, date(2026, 4, 16))
    assert (missing.status, missing.received, missing.missing, missing.completed_on) == ("missing", 0, 1, None)


def test_a_period_needing_several_is_as_late_as_its_last_needed_submission():
    days = [date(2026, 4, 20), date(2026, 3, 1), date(2026, 4, 10), date(2026, 4, 25)]
    two = assess(2, days, DEADLINE, date(2026, 5, 1))  # the second came on 10 April
    assert (two.status, two.received, two.on_time, two.late, two.completed_on) == (
        "on_time", 4, 2, 2, date(2026, 4, 10))
    three = assess(3, days, DEADLINE, date(2026, 5, 1))  # the third on 20 April
    assert (three.status, three.completed_on) == ("late", date(2026, 4, 20))
    five = assess(5, days, DEADLINE, date(2026, 5, 1))
    assert (five.status, five.missing, five.completed_on) == ("missing", 1, None)
    # as it stood on 15 April: what came later does not count yet
    then = assess(3, days, DEADLINE, DEADLINE)
    assert (then.status, then.received, then.late, then.missing) == ("not_due", 2, 0, 1)


# ---------------------------------------------------------------- the uploaded file


def test_each_row_becomes_one_expectation_per_period(tmp_path):
    path = expectations_file(tmp_path, [
        ["activity_report", "05977", VERSION, "quarterly", "2025-Q4", "2026-Q1", "15", "1", ""],
        ["workplace_inspection", "05977", VERSION, "yearly", "2025", "2026", "30", "4", "kế hoạch thanh tra"],
        ["household_survey", "05983", VERSION, "once", datetime(2026, 6, 1), datetime(2026, 7, 31), "0", "40", ""],
    ], "plan.xlsx", excel=True)  # the round's days as Excel dates
    rows = validate(path)
    assert [(r["form_id"], r["period"], r["period_start"], r["period_end"], r["deadline"], r["expected"],
             r["source_row"]) for r in rows] == [
        ("activity_report", "2025-Q4", date(2025, 10, 1), date(2025, 12, 31), date(2026, 1, 15), 1, 2),
        ("activity_report", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 15), 1, 2),
        ("workplace_inspection", "2025", date(2025, 1, 1), date(2025, 12, 31), date(2026, 1, 30), 4, 3),
        ("workplace_inspection", "2026", date(2026, 1, 1), date(2026, 12, 31), date(2027, 1, 30), 4, 3),
        ("household_survey", "2026-06-01/2026-07-31", date(2026, 6, 1), date(2026, 7, 31), date(2026, 7, 31), 40, 4),
    ]


def test_every_problem_is_listed_with_its_row(tmp_path):
    path = expectations_file(tmp_path, [
        ["monthly_report", "05977", VERSION, "quarterly", "2026-Q1", "2026-Q1", "15", "1", ""],
        ["activity_report", "99999", VERSION, "quarterly", "2026-Q1", "2026-Q1", "15", "1", ""],
        ["activity_report", "05977", "vn-legacy", "monthly", "2026-01", "2026-02", "15", "1", ""],
        ["activity_report", "05983", VERSION, "quarterly", "2026-Q3", "2026-Q1", "1.000", "0", ""],
        ["household_survey", "05983", VERSION, "once", "2026-02-30", "2026-03-31", "-1", "20", ""],
    ])
    with pytest.raises(ref.ReferenceDataError) as error:
        validate(path)
    message = str(error.value)
    for expected in ["plan.csv: nothing was loaded", "row 2: form_id must be one of",
                     "row 3: commune '99999' is not in code list", "row 4: commune '05977' is not in code list "
                     "'vn-legacy'", "row 4: frequency must be one of quarterly, yearly, once",
                     "row 5: period_from and period_to must be quarterly periods like 2026-Q2",
                     "row 5: days_to_report must be a whole number", "row 5: expected must be a whole number",
                     "row 6: period_from and period_to must be once periods", "row 6: days_to_report"]:
        assert expected in message
    assert "row 2: commune" not in message and "row 6: expected" not in message


def test_overlapping_periods_are_refused_within_a_file_and_across_files(tmp_path):
    quarters = ["activity_report", "05977", VERSION, "quarterly", "2026-Q1", "2026-Q2", "15", "1", ""]
    path = expectations_file(tmp_path, [
        quarters, ["activity_report", "05983", VERSION, "yearly", "2026", "2026", "15", "1", ""],
        ["activity_report", "05977", VERSION, "once", "2026-06-01", "2026-07-31", "15", "2", ""]])
    with pytest.raises(ref.ReferenceDataError, match=r"row 4: overlaps row 2 \(activity_report 05977 2026-Q2 and "
                                                     r"2026-06-01/2026-07-31\): a submission would count twice"):
        validate(path)
    first = validate(expectations_file(tmp_path, [quarters], "a.csv"))
    second = validate(expectations_file(tmp_path, [
        ["activity_report", "05977", VERSION, "yearly", "2026", "2026", "15", "1", ""]], "b.csv"))
    er.check_files_apart({"a.csv": first, "c.csv": validate(expectations_file(tmp_path, [
        ["activity_report", "05977", VERSION, "quarterly", "2026-Q3", "2026-Q4", "15", "1", ""]], "c.csv"))})
    with pytest.raises(ref.ReferenceDataError, match="a.csv row 2 and b.csv row 2 both expect activity_report from "
                                                     "commune 05977 over the same days"):
        er.check_files_apart({"a.csv": first, "b.csv": second})


# ---------------------------------------------------------------- the table, on both backends

EXPECTED = [
    ["activity_report", "05977", VERSION, "quarterly", "2026-Q1", "2026-Q2", "15", "1", ""],
    ["activity_report", "05983", VERSION, "quarterly", "2026-Q1", "2026-Q1", "15", "1", ""],
    ["activity_report", "06001", VERSION, "quarterly", "2026-Q1", "2026-Q1", "15", "1", ""],
    ["workplace_inspection", "05977", VERSION, "once", "2026-03-01", "2026-03-31", "0", "2", "đợt tháng 3"],
]
# (form, commune, event day, received by the platform)
SUBMISSIONS = [
    ("activity_report", "05977", date(2026, 3, 20), "2026-04-15T16:59:59.999Z"),  # 23:59:59 on the deadline
    ("activity_report", "05983", date(2026, 2, 1), "2026-04-15T17:00:00.000Z"),  # midnight after it
    ("activity_report", "06001", date(2025, 12, 31), "2026-01-02T03:00:00.000Z"),  # for the quarter before
    ("activity_report", "05977", date(2026, 4, 10), "2026-04-11T03:00:00.000Z"),
    ("activity_report", "00004", date(2026, 2, 1), "2026-02-02T03:00:00.000Z"),  # a commune nobody expects
    ("workplace_inspection", "05977", date(2026, 3, 5), "2026-03-06T03:00:00.000Z"),
    ("workplace_inspection", "05977", date(2026, 3, 30), "2026-04-02T03:00:00.000Z"),  # after the round's last day
]


def _clean_rows(n: int, form: str, commune: str, day: date) -> dict:
    common = {"raw_submission_id": n, "change_seq": n, "source": "test", "year": day.year,
              "quarter": (day.month - 1) // 3 + 1, "province_code": UNITS.communes[commune].province_code,
              "commune_code": commune, "code_list_version": VERSION}
    if form == "activity_report":
        return {**common, "activity_id": f"a{n}", "activity_date": day, "activity_type": "workshop",
                "training": False, "participants_total": 30, "has_participant_list": False}
    return {**common, "inspection_id": f"i{n}", "inspection_date": day, "establishment_type": "enterprise",
            "n_young_workers": 0}


@pytest.fixture
def engine(warehouse_url, tmp_path):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    ref.store_uploads(engine, er.KIND, {"plan.csv": validate(expectations_file(tmp_path, EXPECTED))})
    with engine.begin() as conn:
        conn.execute(insert(RawSubmission), [
            {"id": n, "source": "test", "project": "1", "form_id": form, "instance_id": f"uuid:{n}",
             "submitted_at": at, "payload": {}, "content_sha256": "0" * 64, "change_seq": n,
             "first_loaded_at": at, "last_changed_at": at}
            for n, (form, _, _, at) in enumerate(SUBMISSIONS, 1)])
        for model, form in ((Activity, "activity_report"), (Inspection, "workplace_inspection")):
            conn.execute(insert(model), [_clean_rows(n, f, commune, day)
                                         for n, (f, commune, day, _) in enumerate(SUBMISSIONS, 1) if f == form])
    yield engine
    engine.dispose()


def table(engine, as_of: date) -> dict:
    store_completeness(engine, build_completeness(engine, UNITS, as_of))
    c = ReportingCompleteness
    with engine.connect() as conn:
        return {(r.form_id[:8], r.commune_code, r.period): (r.status, r.expected, r.received, r.on_time, r.late,
                                                            r.missing, r.deadline, r.completed_on)
                for r in conn.execute(select(c).where(c.as_of == as_of))}


def test_the_completeness_table(engine):
    assert table(engine, date(2026, 7, 16)) == {
        ("activity", "05977", "2026-Q1"): ("on_time", 1, 1, 1, 0, 0, DEADLINE, DEADLINE),
        ("activity", "05977", "2026-Q2"): ("on_time", 1, 1, 1, 0, 0, date(2026, 7, 15), date(2026, 4, 11)),
        ("activity", "05983", "2026-Q1"): ("late", 1, 1, 0, 1, 0, DEADLINE, date(2026, 4, 16)),
        ("activity", "06001", "2026-Q1"): ("missing", 1, 0, 0, 0, 1, DEADLINE, None),
        ("workplac", "05977", "2026-03-01/2026-03-31"): ("late", 2, 2, 1, 1, 0, date(2026, 3, 31), date(2026, 4, 2)),
    }
    with engine.connect() as conn:
        names = dict(conn.execute(select(ReportingCompleteness.commune_code, ReportingCompleteness.commune_name)).all())
        assert conn.execute(select(ReportingExpectation.note).where(
            ReportingExpectation.form_id == "workplace_inspection")).scalar_one() == "đợt tháng 3"
    assert names == {"05977": "Phường Đông Kinh", "05983": "Phường Lương Văn Tri", "06001": "Xã Đoàn Kết"}


def test_as_it_stood_on_the_deadline(engine):
    """On 15 April nothing is late or missing yet: 05983's report came at midnight after, 06001 has a day left."""
    then = table(engine, DEADLINE)
    assert {key: value[:6] for key, value in then.items()} == {
        ("activity", "05977", "2026-Q1"): ("on_time", 1, 1, 1, 0, 0),
        ("activity", "05977", "2026-Q2"): ("on_time", 1, 1, 1, 0, 0),
        ("activity", "05983", "2026-Q1"): ("not_due", 1, 0, 0, 0, 1),
        ("activity", "06001", "2026-Q1"): ("not_due", 1, 0, 0, 0, 1),
        ("workplac", "05977", "2026-03-01/2026-03-31"): ("late", 2, 2, 1, 1, 0),
    }


def test_a_report_s_cut_off_assesses_its_communes_again_as_of_that_day(engine):
    table(engine, date(2026, 7, 16))  # the stored table says late and missing; the cut-off day says not yet
    then = completeness_on(engine, ["05983", "06001"], Period(2026), DEADLINE)
    assert [(r.commune_code, r.period, r.status, r.received) for r in then.rows] == [
        ("05983", "2026-Q1", "not_due", 0), ("06001", "2026-Q1", "not_due", 0)]
    assert then.as_of == DEADLINE
    assert completeness_on(engine, ["05983", "06001"], Period(2025), DEADLINE).rows == ()
