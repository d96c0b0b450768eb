"""Hostile answers: numbers, dates and rosters that a lax reading would count. Each ends clean or quarantined with
its reason, on SQLite and PostgreSQL, and raw = clean + quarantined.

The same answers reach the warehouse by every route with the same outcome:
tests/connectors/test_answer_reading_routes.py feeds :data:`HOSTILE` through each of them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from connectors.forms import definition
from tests.faults.test_bad_submissions import accounted_for, clean, records
from tests.pipeline.household_fixture import child, household, work
from warehouse.classify.classification import load_rules
from warehouse.clean.answers import PLAUSIBILITY_FILE, load_plausibility
from warehouse.clean.household import FORM_ID, Context, parse_household
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.raw.raw_store import store_records
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import Child, Household, Quarantine, RawSubmission


def base(n: int) -> dict:
    """A household of 4 with two children (n_children 2), interviewed on 10 March 2026, submitted in November."""
    row = household(n, "00004", "01", "03-10", [child(f"c{n}a", 14, "female", work("crop_farming", 3, 10)),
                                                child(f"c{n}b", 8, "male")])
    row["__system"]["submissionDate"] = "2026-11-01T08:00:00.000Z"
    return row


def answered(*changes: tuple[str, object]) -> Callable[[int], dict]:
    """The base household with the answers at the paths given (``child/0/age_stated``) replaced."""
    def build(n: int) -> dict:
        row = base(n)
        for path, text in changes:
            node = row
            *parents, last = path.split("/")
            for part in parents:
                node = node[int(part)] if part.isdigit() else node[part]
            node[last] = text
        return row
    return build


def twice(n: int) -> dict:
    """The second child is the first entered again (the same answers, another position)."""
    row = base(n)
    row["child"][1] = copy.deepcopy(row["child"][0])
    return row


def crowded(n: int) -> dict:
    """200 children listed in a household of 4 (n_children not answered)."""
    row = base(n)
    row["child"] = [dict(copy.deepcopy(row["child"][1]), child_name=f"c{n}-{i}") for i in range(200)]
    row["household"]["n_children"] = None
    return row


HH, CHILD = "household", "child"
HH_SIZE, AGE, HOURS_DAY, HOURS_WEEK = "household/hh_size", "child/0/age_stated", "child/0/work/hours_day", \
    "child/0/work/hours_week"
# name → (row builder, expected: "clean" or (entity, repeat index, field, reason code)); the answers are text, as
# a collector, an export file or a Kobo document holds them. Each case but the four controls (numbers as the form
# writes them, an interview after its submission, the two choices: read so before) failed before the strict reading
# and the plausibility rules.
HOSTILE: dict[str, tuple[Callable[[int], dict], object]] = {
    # numbers: ASCII digits, a decimal point, nothing after
    "int with a digit separator": (answered((HH_SIZE, "1_0")), (HH, None, HH_SIZE, "INVALID_NUMBER")),
    "int in Arabic-Indic digits": (answered((HH_SIZE, "٤")), (HH, None, HH_SIZE, "INVALID_NUMBER")),
    "int with a thousands point": (answered((HH_SIZE, "4.000")), (HH, None, HH_SIZE, "INVALID_NUMBER")),
    "int with words after it": (answered((AGE, "14 tuổi")), (CHILD, 1, "child/age_stated", "INVALID_NUMBER")),
    "int with an exponent": (answered((AGE, "1.4e1")), (CHILD, 1, "child/age_stated", "INVALID_NUMBER")),
    "int as words": (answered(("child/1/grade", "abc")), (CHILD, 2, "child/grade", "INVALID_NUMBER")),
    "decimal comma": (answered((HOURS_DAY, "12,5")), (CHILD, 1, "child/work/hours_day", "INVALID_NUMBER")),
    "decimal beyond a float": (answered((HOURS_WEEK, "1e999")), (CHILD, 1, "child/work/hours_week", "INVALID_NUMBER")),
    "decimal NaN": (answered(("child/1/chores_hours_week", "NaN")),
                    (CHILD, 2, "child/chores_hours_week", "INVALID_NUMBER")),
    "numbers as the form writes them": (answered((HH_SIZE, " 4 "), (AGE, "+14"), (HOURS_DAY, "2.5"),
                                                 (HOURS_WEEK, "1.25E1")), "clean"),
    # dates: YYYY-MM-DD and nothing else, within the programme's window
    "date with trailing text": (answered(("interview_date", "2026-03-10garbage")),
                                (HH, None, "interview_date", "INVALID_DATE")),
    "date with a time": (answered(("interview_date", "2026-03-10T08:00:00")),
                         (HH, None, "interview_date", "INVALID_DATE")),
    "interview in 1900": (answered(("interview_date", "1900-01-01")),
                          (HH, None, "interview_date", "DATE_BEFORE_PROGRAMME")),
    "interview in year 1": (answered(("interview_date", "0001-01-01")),
                            (HH, None, "interview_date", "DATE_BEFORE_PROGRAMME")),
    "interview after its submission": (answered(("interview_date", "2026-12-24")),
                                       (HH, None, "interview_date", "DATE_IN_FUTURE")),
    # choices: the code exactly
    "choice in another case": (answered(("consent", "Yes")), (HH, None, "consent", "INVALID_CHOICE")),
    "choice with a space": (answered(("child/0/sex", " female")), (CHILD, 1, "child/sex", "INVALID_CHOICE")),
    # the roster against n_children and hh_size; a child entered twice
    "200 children in a household of 4": (crowded, (HH, None, "child", "ROSTER_EXCEEDS_HH_SIZE")),
    "n_children above hh_size": (answered(("household/n_children", "5")),
                                 (HH, None, "household/n_children", "N_CHILDREN_EXCEEDS_HH_SIZE")),
    "roster shorter than n_children": (answered(("household/n_children", "3")),
                                       (HH, None, "child", "ROSTER_NOT_N_CHILDREN")),
    "a child entered twice": (twice, (CHILD, 2, "child", "DUPLICATE_CHILD")),
    # dob_known: the date of birth only when it is yes
    "date of birth although dob_known is no": (answered(("child/0/dob", "2012-01-01")),
                                               (CHILD, 1, "child/dob", "DOB_NOT_KNOWN")),
    "dob_known yes without a date of birth": (answered(("child/0/dob_known", "yes")),
                                              (CHILD, 1, "child/dob", "MISSING_REQUIRED")),
}


@pytest.fixture
def ctx() -> Context:
    return Context(Pseudonymizer("k" * 32), load_admin_units(), definition(FORM_ID).codes)


def outcomes(engine, rows: dict[str, dict]) -> dict[str, object]:
    """Per case: its quarantine rows (entity, repeat index, field, reason code), or "clean"."""
    found = {}
    with engine.connect() as conn:
        for name, row in rows.items():
            raw_id = conn.execute(select(RawSubmission.id).where(RawSubmission.instance_id == row["__id"])).scalar()
            reasons = conn.execute(select(Quarantine.entity, Quarantine.repeat_index, Quarantine.field,
                                          Quarantine.reason_code, Quarantine.reason)
                                   .where(Quarantine.raw_submission_id == raw_id)).all()
            assert all(r.reason for r in reasons), name
            loaded = conn.execute(select(func.count()).select_from(Household)
                                  .where(Household.raw_submission_id == raw_id)).scalar()
            found[name] = [tuple(r[:4]) for r in reasons] or ("clean" if loaded else "lost")
    return found


def test_each_hostile_answer_ends_clean_or_quarantined_with_its_reason(warehouse_url, ctx):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    rows = {name: build(n) for n, (name, (build, _)) in enumerate(HOSTILE.items(), start=1)}
    store_records(engine, records(list(rows.values())))
    clean(engine, ctx)
    assert outcomes(engine, rows) == {name: expected if expected == "clean" else [expected]
                                      for name, (_, expected) in HOSTILE.items()}
    with engine.connect() as conn:
        ages = conn.execute(select(Child.age)).scalars().all()
        sizes = conn.execute(select(Household.hh_size)).scalars().all()
    assert 1 not in ages and 10 not in sizes and set(sizes) == {4}  # nothing read as a number it only starts with
    accounted_for(engine)
    engine.dispose()


def test_the_plausibility_rules_are_versioned_data(tmp_path: Path, ctx):
    rules = load_plausibility()
    assert rules.version and ctx.plausibility == rules
    moved = tmp_path / "plausibility.toml"
    moved.write_text(PLAUSIBILITY_FILE.read_text(encoding="utf-8").replace(
        "earliest = 2021-05-27", "earliest = 2026-04-01"), encoding="utf-8")
    later = Context(ctx.pseudonymizer, ctx.units, ctx.choices, load_plausibility(moved))
    parsed = parse_household(records([base(1)])[0], later)
    assert [q["reason_code"] for q in parsed.quarantine] == ["DATE_BEFORE_PROGRAMME"]
    broken = tmp_path / "broken.toml"
    broken.write_text('version = "x"\n[event_date]\nearliest = "last year"\ndays_after_submission = 1\n'
                      '[ages]\nsurveyed = [5, 17]\ncase_visit = [5, 18]\n')
    with pytest.raises(ValueError, match="broken.toml"):
        load_plausibility(broken)


def test_the_surveyed_ages_are_the_rules_scope_and_come_from_the_file(tmp_path: Path, ctx):
    rules, scope = load_plausibility(), load_rules()
    assert rules.surveyed_ages == (scope.min_age, scope.max_age)
    assert rules.case_visit_ages == (scope.min_age, scope.max_age + 1)
    narrower = tmp_path / "plausibility.toml"
    narrower.write_text(PLAUSIBILITY_FILE.read_text(encoding="utf-8").replace(
        "surveyed = [5, 17]", "surveyed = [5, 9]"), encoding="utf-8")
    later = Context(ctx.pseudonymizer, ctx.units, ctx.choices, load_plausibility(narrower))
    parsed = parse_household(records([base(1)])[0], later)
    assert "AGE_OUT_OF_RANGE" in {q["reason_code"] for q in parsed.quarantine}
    assert not parse_household(records([base(1)])[0], ctx).quarantine
    reversed_range = tmp_path / "reversed.toml"
    reversed_range.write_text(PLAUSIBILITY_FILE.read_text(encoding="utf-8").replace(
        "case_visit = [5, 18]", "case_visit = [18, 5]"), encoding="utf-8")
    with pytest.raises(ValueError, match="reversed.toml"):
        load_plausibility(reversed_range)
