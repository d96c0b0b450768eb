"""Remediation figures (1.2 and 4.2d–g) from a hand-made register, worked by hand, on SQLite and PostgreSQL.

Five cases in Mỹ Hòa Hưng, the report made on Monday 7 December 2026:

| case | type | identified | urgent (reported) | first support | limit (workflow) | 1.2 | visits | 2nd visit, still CL | due | open |
|---|---|---|---|---|---|---|---|---|---|---|
| A | child labourer | Mon 2 Nov | no | 20 Nov | 2 Dec (30 days) | in time | 2 | 25 Nov, no | 20 Dec | yes |
| B | child labourer | 1 Oct | no | 5 Nov | 31 Oct | late | 3 | 10 Oct, yes | 1 Dec | yes |
| C | at risk | 25 Nov | no | – | 25 Dec | pending | 0 | – | 4 Dec | yes |
| D | trafficked | 1 Dec | yes | – | 2 Dec (12 hours) | late | 1 | – | 2 Dec | yes |
| E | at risk | 30 Nov | yes | 1 Dec | 1 Dec | in time | 1 | – | – | closed |

1.2: 2 in time of 4 (C pending, in neither); by type child labourer 1/2, at risk 1/1, trafficked 0/1.
4.2d (≥ 2 follow-ups): A, B: 2 of 5. 4.2e (no longer CL at the second visit): A of A, B: 1 of 2.
4.2g (overdue): B, C, D of the four open cases: 3 of 4.
4.2f: A's education referral (3 Nov) recorded waiting, then received at the next visit: one referral, received;
A's credit referral (3 Nov) waiting; B's health referral (2 Oct) refused: 1 of 3; education 1/1, credit 0/1,
health 0/1.
"""

from datetime import date

import pytest
from sqlalchemy import insert

from warehouse.indicators import indicators
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import Case, CaseService, CaseVisit, RawSubmission

REPORT_DAY = date(2026, 12, 7)
CASES = {  # code: type, identified, urgent, first support, visits, second visit, CL at the second, due, status
    "A": ("child_labourer", date(2026, 11, 2), False, date(2026, 11, 20), 2, date(2026, 11, 25), False,
          date(2026, 12, 20), "supported"),
    "B": ("child_labourer", date(2026, 10, 1), False, date(2026, 11, 5), 3, date(2026, 10, 10), True,
          date(2026, 12, 1), "monitoring"),
    "C": ("at_risk", date(2026, 11, 25), False, None, 0, None, None, date(2026, 12, 4), "open"),
    "D": ("trafficked", date(2026, 12, 1), True, None, 1, None, None, date(2026, 12, 2), "open"),
    "E": ("at_risk", date(2026, 11, 30), True, date(2026, 12, 1), 1, None, None, None, "closed"),
}


def case_id(code: str) -> str:
    return f"{'abcde'.index(code.lower()) + 1}0000000-0000-4000-8000-000000000000"


def case_row(code, kind, identified, urgent, first_support, visits, second, still, due, status) -> dict:
    return {"case_id": case_id(code), "case_code": f"C-{code}0000", "subject_kind": "child", "subject_id": code * 32,
            "identified_source": "household_survey", "identified_on": identified, "year": identified.year,
            "quarter": (identified.month - 1) // 3 + 1, "province_code": "30", "commune_code": "30313",
            "code_list_version": "vn-2025-07", "sex": "female", "age_band": "13-14", "case_type": kind,
            "status": status, "first_support_on": first_support, "visits": visits, "last_visit_on": None,
            "closed_on": None, "closure_reason": None, "in_education_at_last_visit": None,
            "child_labour_at_last_visit": None, "state": "services", "urgent": urgent, "urgent_at_report": urgent,
            "due_on": due,
            "second_visit_on": second, "child_labour_at_second_visit": still}


def visit_rows(n: int, code: str, day: date) -> tuple[dict, dict]:
    raw = {"id": n, "source": "odk_central", "project": "7", "form_id": "case_followup", "instance_id": f"uuid:{n}",
           "payload": {}, "content_sha256": "0" * 64, "change_seq": n, "first_loaded_at": "2026-12-01T00:00:00Z",
           "last_changed_at": "2026-12-01T00:00:00Z"}
    visit = {"visit_id": f"visit{n}", "raw_submission_id": n, "change_seq": n, "case_id": case_id(code),
             "visit_date": day, "year": 2026, "quarter": 4, "age": 13, "econ_activity": False, "temp_absent": False,
             "working": False, "case_status": "supported", "rules_version": "test", "child_labour": False,
             "reasons": ""}
    return raw, visit


def service(n: int, index: int, code: str, kind: str, referred: date, outcome: str, received=None) -> dict:
    return {"visit_id": f"visit{n}", "repeat_index": index, "case_id": case_id(code), "service_type": kind,
            "provider": "school", "referred_date": referred, "service_outcome": outcome, "received_date": received}


@pytest.fixture
def conn(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    visits = [visit_rows(1, "A", date(2026, 11, 3)), visit_rows(2, "A", date(2026, 11, 25)),
              visit_rows(3, "B", date(2026, 10, 2))]
    with engine.begin() as c:
        c.execute(insert(Case), [case_row(code, *row) for code, row in CASES.items()])
        c.execute(insert(RawSubmission), [raw for raw, _ in visits])
        c.execute(insert(CaseVisit), [visit for _, visit in visits])
        c.execute(insert(CaseService), [
            service(1, 1, "A", "education", date(2026, 11, 3), "waiting"),
            service(1, 2, "A", "credit", date(2026, 11, 3), "waiting"),
            service(2, 1, "A", "education", date(2026, 11, 3), "received", date(2026, 11, 20)),
            service(3, 1, "B", "health", date(2026, 10, 2), "refused"),
        ])
    with engine.connect() as c:
        yield c
    engine.dispose()


def totals(frame, by: str | None = None) -> dict:
    if by is None:
        return tuple(int(frame[c].sum()) for c in ("numerator", "denominator"))
    summed = frame.groupby(by)[["numerator", "denominator"]].sum()
    return {key: (int(r.numerator), int(r.denominator)) for key, r in summed.iterrows()}


def test_in_time_from_the_workflow_with_pending_cases_left_out(conn):
    facts = indicators.supported_in_time(conn, indicators.load_settings(), as_of=REPORT_DAY)
    assert totals(facts) == (2, 4)
    assert totals(facts, "case_type") == {"child_labourer": (1, 2), "at_risk": (1, 1), "trafficked": (0, 1)}
    later = indicators.supported_in_time(conn, indicators.load_settings(), as_of=date(2026, 12, 26))
    assert totals(later) == (2, 5)  # C's 30 days have passed without support: a failure now


def test_follow_ups_outcomes_services_and_overdue(conn):
    settings = indicators.load_settings()
    assert totals(indicators.two_follow_ups(conn, settings)) == (2, 5)
    assert totals(indicators.out_of_child_labour_after_two(conn, settings)) == (1, 2)
    services = indicators.services_received(conn, settings)
    assert totals(services) == (1, 3)
    assert totals(services, "service_type") == {"education": (1, 1), "credit": (0, 1), "health": (0, 1)}
    late = indicators.overdue(conn, settings, as_of=REPORT_DAY)
    assert totals(late) == (3, 4)
    assert set(late["year"]) == {2026} and set(late["quarter"]) == {4}
