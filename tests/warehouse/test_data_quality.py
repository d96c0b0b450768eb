"""The data-quality checks, hand-worked on a few households: each threshold of data_quality.toml on both sides."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from warehouse.clean.household import interview_minutes
from warehouse.indicators.stats import binomial_upper_tail
from warehouse.quality.data_quality import BackCheck, ChildFacts, HouseholdFacts, find_flags, load_thresholds

T = load_thresholds()
DAY = date(2026, 3, 2)
METRE = 1 / 111_195  # degrees of latitude in a metre (haversine on a 6,371 km sphere)


def household(hid: str, enumerator: str = "e1", *, consent: bool = True, minutes: float | None = 30,
              size: int | None = 4, day: date = DAY) -> HouseholdFacts:
    return HouseholdFacts(hid, enumerator, day, "20", "06037", consent, size if consent else None,
                          minutes)


def child(cid: str, hid: str, *, sex: str = "male", age: int = 10, grade: int | None = 5, working: bool = False,
          hours_day=None, hours_week=None, chores=3.0) -> ChildFacts:
    return ChildFacts(cid, hid, sex, age, "attending" if grade else "dropped_out", grade, working, hours_day,
                      hours_week, chores)


def flags(households, children=(), points=None, back_checks=()):
    return [(f.check, f.subject_id, f.value, f.threshold)
            for f in find_flags(list(households), list(children), points or {}, T, back_checks)]


def test_thresholds_are_the_versioned_file():
    assert T.version == "2026.1"
    assert (T.min_minutes, T.max_interviews, T.min_count, T.max_p, T.max_metres) == (10, 10, 20, 0.001, 25)


def test_interview_minutes_from_the_forms_start_and_end():
    assert interview_minutes("2026-03-02T08:00:00.000+07:00", "2026-03-02T08:09:30.000+07:00") == 9.5
    assert interview_minutes("2026-03-02T08:00:00.000+07:00", "2026-03-02T01:30:00.000Z") == 30.0
    assert interview_minutes(None, "2026-03-02T08:09:30.000+07:00") is None
    assert interview_minutes("2026-03-02T08:00:00+07:00", "2026-03-02T08:30:00") is None  # no offset: unknown
    assert interview_minutes("yesterday", 5) is None


def test_a_consented_interview_under_ten_minutes_is_too_short_a_refusal_is_not():
    rows = [household("h1", minutes=9.9), household("h2", minutes=10), household("h3", minutes=None),
            household("h4", consent=False, minutes=2)]
    assert flags(rows) == [("too_short", "h1", 9.9, 10)]


def test_more_than_ten_interviews_a_day_by_one_enumerator():
    rows = [household(f"a{i}", "e1") for i in range(11)] + [household(f"b{i}", "e2") for i in range(10)]
    rows += [household("c", "e2", day=date(2026, 3, 3))]
    assert flags(rows) == [("too_many_a_day", "e1|2026-03-02", 11, 10)]


def test_refusals_against_the_others_share():
    # e1: 8 refusals in 20 against the others' 15 in 220 (e2's 3, e3's 10, 2 more): P(X ≥ 8 | 20, 15/220) < 0.001.
    # e2: 3 in 20 against 20 in 220: P(X ≥ 3 | 20, 20/220) ≈ 0.27. e3: 10 in 19, too few households to say.
    rows = [household(f"a{i}", "e1", consent=i >= 8, day=DAY + timedelta(i)) for i in range(20)]
    rows += [household(f"b{i}", "e2", consent=i >= 3, day=DAY + timedelta(i)) for i in range(20)]
    rows += [household(f"c{i}", "e3", consent=i >= 10, day=DAY + timedelta(i)) for i in range(19)]
    rows += [household(f"d{i}", f"x{i % 20}", consent=i >= 2) for i in range(181)]
    assert binomial_upper_tail(7, 20, 15 / 220) < T.max_p < binomial_upper_tail(6, 20, 15 / 220)  # 7 would do
    assert flags(rows) == [("refusals", "e1", 0.4, round(15 / 220, 4))]


def test_binomial_tail_hand_worked():
    assert binomial_upper_tail(1, 2, 0.5) == pytest.approx(0.75)
    assert binomial_upper_tail(3, 3, 0.1) == pytest.approx(0.001)
    assert binomial_upper_tail(0, 5, 0.3) == 1.0 and binomial_upper_tail(6, 5, 0.3) == 0.0
    assert binomial_upper_tail(1, 10, 0.0) == 0.0


def test_no_work_share_by_enumerator():
    # e1's 25 children never work; the others' 100 children: 40 work. P(X ≥ 25 | 25, 0.6) ≈ 2.8e-6.
    rows = [household(f"a{i}", "e1", day=DAY + timedelta(i)) for i in range(25)]
    rows += [household(f"b{i}", f"x{i % 10}") for i in range(100)]
    kids = [child(f"ca{i}", f"a{i}") for i in range(25)]
    kids += [child(f"cb{i}", f"b{i}", working=i < 40, hours_day=2, hours_week=6) for i in range(100)]
    assert flags(rows, kids) == [("no_work", "e1", 1.0, 0.6)]


def test_duplicate_households_same_roster_within_25_metres():
    rows = [household("h1", day=date(2026, 3, 1)), household("h2", "e2"), household("h3", "e3"),
            household("h4", "e4", size=5), household("h5"), household("h6")]
    kids = [child(f"c{h}{i}", f"h{h}", age=8 + i, sex="female" if i else "male", grade=3 + i)
            for h in range(1, 7) for i in range(2)]
    kids[4] = child("c30", "h3", age=9, grade=4)  # h3: another roster (two boys, aged 9 and 9)
    points = {"h1": (21.0, 105.8), "h2": (21.0 + 20 * METRE, 105.8), "h3": (21.0, 105.8), "h4": (21.0, 105.8),
              "h5": (21.0 + 26 * METRE, 105.8), "h6": (35.0, 105.8)}
    # h2: 20 m from h1, same roster, later → flagged; h3 another roster; h4 another size; h5 26 m from h1 but
    # 6 m from h2 → flagged, naming h2 (its nearest); h6 far away
    found = find_flags(rows, kids, points, T)
    assert [(f.check, f.subject_id, f.other_household_id) for f in found] == [
        ("duplicate_household", "h2", "h1"), ("duplicate_household", "h5", "h2")]
    assert [f.value for f in found] == [20.0, 6.0]


def test_duplicates_are_found_across_cell_edges_in_longitude():
    metres_lon = 1 / (111_195 * 0.5)  # at 60° north a degree of longitude is half as long
    rows = [household("h1", day=date(2026, 3, 1)), household("h2", "e2")]
    kids = [child("c1", "h1"), child("c2", "h2")]
    points = {"h1": (60.0, 10.0), "h2": (60.0, 10.0 + 24 * metres_lon)}
    assert [(f.check, f.subject_id) for f in find_flags(rows, kids, points, T)] == [("duplicate_household", "h2")]
    points["h2"] = (60.0, 10.0 + 26 * metres_lon)
    assert find_flags(rows, kids, points, T) == []


def test_outliers_in_household_size_hours_and_age_for_grade():
    rows = [household("h1", size=16), household("h2", size=15)]
    kids = [child("c1", "h2", working=True, hours_day=14.5, hours_week=84.5, chores=42.5),
            child("c2", "h2", working=True, hours_day=14, hours_week=84, chores=42),
            child("c3", "h2", age=6, grade=3), child("c4", "h2", age=16, grade=6), child("c5", "h2", age=16, grade=7),
            child("c6", "h2", age=5, grade=1), child("c7", "h2", age=15, grade=None)]
    assert flags(rows, kids) == [("hh_size", "h1", 16, 15), ("hours_day", "c1", 14.5, 14),
                                 ("hours_week", "c1", 84.5, 84), ("chores_hours_week", "c1", 42.5, 42),
                                 ("age_grade", "c3", 3, 4), ("age_grade", "c4", 10, 9)]


def test_a_back_check_that_disagrees_with_the_interview():
    def original(hid: str, code: str, consent: bool = True) -> HouseholdFacts:
        return HouseholdFacts(hid, "e1", DAY, "20", "06037", consent, 5 if consent else None, 30,
                              2 if consent else None, "craft" if consent else None, code)

    rows = [original(f"h{i}", f"0000000{i}") for i in range(7)] + [original("h7", "00000007", consent=False)]
    rows += [original("h8", "0000000a"), original("h9", "0000000a")]  # one code, two households: left out
    checks = [BackCheck("00000000", "yes", 6, 2, "craft"),   # one person more: within the tolerance
              BackCheck("00000001", "yes", 7, 2, "craft"),   # two more
              BackCheck("00000002", "no", 5, 2, "craft"),    # nobody came
              BackCheck("00000003", "yes", 5, 3, "trade_services"),  # two answers differ
              BackCheck("00000003", "yes", 5, 2, "craft"),   # a second back-check that agrees: the worst counts
              BackCheck("00000004", "yes", None, None, None),  # nothing to compare
              BackCheck("00000007", "no", 5, 2, "craft"),    # no consent: nothing to compare with
              BackCheck("0000000a", "no", 1, 0, "other"), BackCheck("ffffffff", "no", 1, 0, "other")]
    assert flags(rows, points={}, back_checks=checks) == [
        ("back_check", "h1", 1, 0), ("back_check", "h2", 1, 0), ("back_check", "h3", 2, 0)]


def test_every_check_has_words_in_both_languages():
    from warehouse.quality.data_quality import CHECKS
    from warehouse.quality.data_quality_sheet import CHECK_WORDS

    assert set(CHECK_WORDS) == set(CHECKS)
    assert "version" in Path(__file__).resolve().parents[2].joinpath("warehouse/reference/data_quality.toml").read_text()
