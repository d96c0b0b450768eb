"""The case workflow file: moves allowed, time limits worked by hand on a calendar, a broken file refused."""

from datetime import date

import pytest

from warehouse.cases.case_workflow import WORKFLOW_FILE, load_workflow


@pytest.fixture(scope="module")
def workflow():
    return load_workflow()


def test_moves_follow_the_workflow_order(workflow):
    assert workflow.states == ("reported", "screened", "assessed", "plan", "services", "follow_up", "closed")
    assert workflow.allows("screened", "services")  # assessed, planned and referred at one visit
    assert workflow.allows("follow_up", "services")  # a new referral
    assert workflow.allows("plan", "closed")
    assert not workflow.allows("screened", "follow_up")  # followed without any service
    assert not workflow.allows("services", "plan")
    assert not any(workflow.allows("closed", s) for s in workflow.states)


def test_time_limits_by_hand(workflow):
    friday, monday = date(2026, 12, 4), date(2026, 12, 7)
    # 5 working days from Friday 4 December: 7, 8, 9, 10, 11 → Friday 11 December
    assert workflow.due_on("assessed", friday) == date(2026, 12, 11)
    # urgent: 12 hours, met on the same day or the next
    assert workflow.due_on("assessed", friday, urgent=True) == date(2026, 12, 5)
    # 7 working days from Monday 7 December: 8, 9, 10, 11, 14, 15, 16 → Wednesday 16 December
    assert workflow.due_on("plan", monday) == date(2026, 12, 16)
    assert workflow.due_on("first_support", date(2026, 11, 1)) == date(2026, 12, 1)  # 30 days
    assert workflow.due_on("first_support", date(2026, 11, 1), urgent=True) == date(2026, 11, 2)


def test_public_holidays_are_not_working_days(workflow):
    # 5 working days from Friday 13 February 2026: Tết takes 16–20 February, so 23, 24, 25, 26, 27 February
    assert workflow.due_on("assessed", date(2026, 2, 13)) == date(2026, 2, 27)
    # 5 working days from Wednesday 29 April 2026: 30 April and 1 May are holidays, so 4 to 8 May
    assert workflow.due_on("assessed", date(2026, 4, 29)) == date(2026, 5, 8)
    assert all(day.weekday() < 5 for day in workflow.public_holidays)  # listed only where they take a working day


def test_next_due_by_state(workflow):
    reported = date(2026, 12, 4)
    assert workflow.next_due("screened", reported, None, None, None) == date(2026, 12, 11)
    assert workflow.next_due("assessed", reported, date(2026, 12, 8), None, None) == date(2026, 12, 15)
    assert workflow.next_due("plan", reported, date(2026, 12, 8), None, None) == date(2027, 1, 3)
    # supported: the officer's next visit, at the latest 90 days after the latest visit (1 Dec + 90 = 1 Mar)
    last = date(2026, 12, 1)
    assert workflow.next_due("services", reported, last, date(2027, 1, 10), last) == date(2027, 1, 10)
    assert workflow.next_due("follow_up", reported, last, None, last) == date(2027, 3, 1)
    assert workflow.next_due("follow_up", reported, last, date(2027, 6, 1), last) == date(2027, 3, 1)
    assert workflow.next_due("follow_up", reported, last, None, last, urgent=True) == date(2026, 12, 31)
    assert workflow.next_due("closed", reported, last, None, last) is None
    # the limits counted from the report keep the urgency it had; the follow-up limit takes the urgency now
    assert workflow.next_due("screened", reported, None, None, None, urgent=True) == date(2026, 12, 11)
    assert workflow.next_due("screened", reported, None, None, None, urgent_at_report=True) == date(2026, 12, 5)
    assert workflow.next_due("follow_up", reported, last, None, last, urgent_at_report=True) == date(2027, 3, 1)


def test_closure_reasons_and_old_statuses(workflow):
    assert {"no_longer_working", "moved", "turned_18"} <= set(workflow.closure_reasons)
    assert workflow.closure_reasons["no_longer_working"]
    assert not workflow.closure_reasons["moved"]
    assert set(workflow.status_as_state.values()) <= set(workflow.states)


def test_a_broken_file_is_refused_naming_what_is_wrong(tmp_path):
    text = WORKFLOW_FILE.read_text(encoding="utf-8")
    broken = tmp_path / "case_workflow.toml"
    broken.write_text(text.replace('plan = ["plan", "services", "closed"]', 'plan = ["plan", "servics"]')
                      .replace("normal_working_days = 7", "normal_weeks = 1"), encoding="utf-8")
    with pytest.raises(ValueError, match=r"plan → 'servics': unknown state.*due\.plan"):
        load_workflow(broken)


def test_each_limit_counts_from_where_the_file_says(tmp_path):
    text = WORKFLOW_FILE.read_text(encoding="utf-8")
    changed = tmp_path / "case_workflow.toml"
    changed.write_text(text.replace('[due.follow_up]  # the next visit to a case being supported or followed, at the '
                                    'latest\nfrom = "last_visit"', '[due.follow_up]\nfrom = "report"'), encoding="utf-8")
    workflow = load_workflow(changed)
    assert workflow.limits["follow_up"].origin == "report"
    # 90 days from the report (4 December → 4 March), not from the latest visit
    assert workflow.next_due("follow_up", date(2026, 12, 4), date(2027, 1, 5), None, date(2026, 12, 10)) == \
        date(2027, 3, 4)
