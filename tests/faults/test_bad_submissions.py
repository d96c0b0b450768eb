"""A corpus of bad submissions: each ends clean or quarantined with its reason, and raw = clean + quarantined.

The submissions go through the raw store and the clean and classify steps on SQLite and PostgreSQL (which,
unlike SQLite, refuses a value longer than its column): a submission that could break a batch would stop the
pipeline at the same place on every run.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
from sqlalchemy import func, inspect, select

from connectors.forms import definition
from connectors.odk_central import record_from_odata_row
from tests.pipeline.household_fixture import child, household, work
from warehouse.classify.classification import load_rules
from warehouse.classify.classify import classify_children
from warehouse.clean import household as household_module
from warehouse.clean import steps
from warehouse.clean.household import FORM_ID, Context
from warehouse.clean.known_answers import RENAMED, known_answers
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.raw.raw_store import store_records
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import (
    Child,
    ChildClassification,
    Household,
    Quarantine,
    RawSubmission,
    RestrictedHouseholdPii,
)

PROJECT = "7"
HUGE = "Nguyễn Văn " * 20_000  # ~220 kB of free text


def base(n: int) -> dict:
    return household(n, "00004", "01", "03-10", [child(f"c{n}a", 14, "female", work("crop_farming", 3, 10)),
                                                 child(f"c{n}b", 8, "male")])


def edit(row: dict, path: str, value) -> dict:
    row = copy.deepcopy(row)
    node = row
    *parents, last = path.split("/")
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    key = int(last) if last.isdigit() else last
    if value is _REMOVE:
        del node[key]
    else:
        node[key] = value
    return row


_REMOVE = object()

# name → (row builder, expected: "clean" or (entity, field, reason code))
CORPUS: dict[str, tuple[Callable[[int], dict], object]] = {
    "good": (lambda n: base(n), "clean"),
    "hh_size as text": (lambda n: edit(base(n), "household/hh_size", "five"),
                        ("household", "household/hh_size", "INVALID_NUMBER")),
    "consent as a number": (lambda n: edit(base(n), "consent", 1), ("household", "consent", "INVALID_CHOICE")),
    "hours as a boolean": (lambda n: edit(base(n), "child/0/work/hours_week", True),
                           ("child", "child/work/hours_week", "WRONG_TYPE")),
    "age 25": (lambda n: edit(base(n), "child/0/age_stated", 25), ("child", "child/age", "AGE_OUT_OF_RANGE")),
    "age -1": (lambda n: edit(base(n), "child/1/age_stated", -1), ("child", "child/age_stated", "OUT_OF_RANGE")),
    "hours_day 30": (lambda n: edit(base(n), "child/0/work/hours_day", 30),
                     ("child", "child/work/hours_day", "OUT_OF_RANGE")),
    "hours_week 200": (lambda n: edit(base(n), "child/0/work/hours_week", 200),
                       ("child", "child/work/hours_week", "OUT_OF_RANGE")),
    "unknown commune": (lambda n: edit(base(n), "location/commune", "12345"),
                        ("household", "location/commune", "UNKNOWN_COMMUNE")),
    "consent missing": (lambda n: edit(base(n), "consent", _REMOVE), ("household", "consent", "MISSING_REQUIRED")),
    "sex missing": (lambda n: edit(base(n), "child/0/sex", None), ("child", "child/sex", "MISSING_REQUIRED")),
    "interview date missing": (lambda n: edit(base(n), "interview_date", ""),
                               ("household", "interview_date", "MISSING_REQUIRED")),
    "SQL in the commune": (lambda n: edit(base(n), "location/commune", "00004'; DROP TABLE household; --"),
                           ("household", "location/commune", "UNKNOWN_COMMUNE")),
    "SQL and HTML in free text": (lambda n: edit(edit(base(n), "household/respondent_name",
                                                      "<script>alert(1)</script>'); DROP TABLE child; --"),
                                                 "enumerator", "Robert'); DROP TABLE quarantine;--"), "clean"),
    "HTML in a choice": (lambda n: edit(base(n), "child/0/ethnicity", "<b>kinh</b>"),
                         ("child", "child/ethnicity", "INVALID_CHOICE")),
    "huge free text": (lambda n: edit(edit(base(n), "household/respondent_name", HUGE), "location/village", HUGE),
                       "clean"),
    "huge phone number": (lambda n: edit(base(n), "household/respondent_phone", "0912345678" * 1000),
                          ("household", "household/respondent_phone", "INVALID_PHONE")),
    "huge answer in a choice": (lambda n: edit(base(n), "household/livelihood", HUGE),
                                ("household", "household/livelihood", "INVALID_CHOICE")),
    "repeat as an object": (lambda n: edit(base(n), "child", base(n)["child"][0]),
                            ("household", "child", "WRONG_TYPE")),
    "a child that is not a group": (lambda n: edit(base(n), "child/1", "Lan, 8"), ("child", "child", "WRONG_TYPE")),
    "work that is not a group": (lambda n: edit(base(n), "child/0/work", "farm"),
                                 ("child", "child/work", "WRONG_TYPE")),
    "renamed question of an older version": (
        lambda n: edit(edit(base(n), "household/poverty", "poor"), "household/poverty_status", _REMOVE),
        ("household", "household/poverty", "UNKNOWN_FIELD")),
}


@pytest.fixture
def ctx() -> Context:
    return Context(Pseudonymizer("k" * 32), load_admin_units(), definition(FORM_ID).codes)


def records(rows: list[dict]):
    return [record_from_odata_row(row, PROJECT, FORM_ID) for row in rows]


def clean(engine, ctx: Context) -> None:
    rules = load_rules()
    steps.clean_households(engine, ctx)
    classify_children(engine, rules)


def accounted_for(engine) -> None:
    """Every live raw submission is a household or quarantined, and every child of a loaded household is a
    child row or quarantined; no child is classified twice or not at all."""
    with engine.connect() as conn:
        live = conn.execute(select(func.count()).select_from(RawSubmission).where(
            RawSubmission.form_id == FORM_ID, RawSubmission.deleted_at.is_(None))).scalar()
        households = conn.execute(select(func.count()).select_from(Household)).scalar()
        quarantined = conn.execute(select(func.count(func.distinct(Quarantine.raw_submission_id))).where(
            Quarantine.entity == "household")).scalar()
        assert live == households + quarantined
        loaded = conn.execute(select(RawSubmission.payload).join(
            Household, Household.raw_submission_id == RawSubmission.id)).scalars().all()
        in_repeats = sum(len(p["child"]) for p in loaded if isinstance(p.get("child"), list))
        children = conn.execute(select(func.count()).select_from(Child)).scalar()
        child_quarantine = conn.execute(select(func.count()).select_from(Quarantine).where(
            Quarantine.entity == "child")).scalar()
        assert in_repeats == children + child_quarantine
        classified = conn.execute(select(func.count()).select_from(ChildClassification)).scalar()
        assert classified == 2 * children


def test_each_bad_submission_ends_clean_or_quarantined_with_its_reason(warehouse_url, ctx):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    rows = {name: build(n) for n, (name, (build, _)) in enumerate(CORPUS.items(), start=1)}
    store_records(engine, records(list(rows.values())))
    clean(engine, ctx)
    with engine.connect() as conn:
        outcomes = {}
        for name, row in rows.items():
            raw_id = conn.execute(select(RawSubmission.id).where(RawSubmission.instance_id == row["__id"])).scalar()
            reasons = conn.execute(select(Quarantine.entity, Quarantine.field, Quarantine.reason_code, Quarantine.reason)
                                   .where(Quarantine.raw_submission_id == raw_id)).all()
            loaded = conn.execute(select(func.count()).select_from(Household)
                                  .where(Household.raw_submission_id == raw_id)).scalar()
            assert all(r.reason for r in reasons), name
            outcomes[name] = [tuple(r[:3]) for r in reasons] or ("clean" if loaded else "lost")
        assert set(inspect(conn).get_table_names()) >= {"household", "child", "quarantine"}  # nothing dropped
        names = conn.execute(select(RestrictedHouseholdPii.respondent_name)).scalars().all()
    assert outcomes == {name: expected if expected == "clean" else [expected]
                        for name, (_, expected) in CORPUS.items()}
    assert HUGE in names  # free text is kept whole, in the restricted table
    accounted_for(engine)
    engine.dispose()


def test_duplicated_ids_and_an_edit_of_a_deleted_submission(warehouse_url, ctx):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    first = base(1)
    twice = edit(first, "household/hh_size", 9)  # the same __id again, other content, in the same sync
    store_records(engine, records([first, twice]))
    gone = records([first])[0]._replace(deleted_at="2026-11-20T09:00:00.000Z")
    store_records(engine, [gone])
    clean(engine, ctx)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Household)).scalar() == 0  # deleted
    revived = edit(first, "household/hh_size", 7)  # an edit arriving after the deletion (restored, then edited)
    revived["__system"] = {**revived["__system"], "updatedAt": "2026-11-21T09:00:00.000Z", "edits": 1}
    store_records(engine, records([revived]))
    clean(engine, ctx)
    with engine.connect() as conn:
        sizes = conn.execute(select(Household.hh_size)).scalars().all()
        raw = conn.execute(select(func.count()).select_from(RawSubmission)).scalar()
    assert sizes == [7] and raw == 1  # one row per identity; the latest state wins
    accounted_for(engine)
    late_delete = records([revived])[0]._replace(deleted_at="2026-11-22T09:00:00.000Z")
    store_records(engine, [late_delete])
    clean(engine, ctx)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Household)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(Child)).scalar() == 0
    accounted_for(engine)
    engine.dispose()


def test_a_renamed_question_is_read_under_its_new_name_once_mapped(ctx, monkeypatch):
    row = edit(edit(base(1), "household/poverty", "poor"), "household/poverty_status", _REMOVE)
    monkeypatch.setitem(RENAMED, FORM_ID, {"household/poverty": "household/poverty_status"})
    record = records([row])[0]  # a record has a raw row's attributes
    parsed = household_module.parse_household(known_answers(record, definition(FORM_ID)), ctx)
    assert parsed.quarantine == [] and parsed.household["poverty_status"] == "poor"
