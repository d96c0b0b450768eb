"""Review states honoured, as a policy in data (warehouse/reference/review_states.toml), on SQLite and PostgreSQL.

Hand-worked on the household fixture (tests/pipeline/household_fixture.py): vn_law 1.1, national, 2026 is 6 of 16
children. H5 (commune B, six children, none in child labour) rejected: its household and children leave, 6 of 10;
approved again: 6 of 16 again. H1 with issues (hasIssues) stays counted, its state on the household row.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from sqlalchemy import func, select

from connectors.odk_central import record_from_odata_row
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.pipeline.household_fixture import fixture_rows
from tests.pipeline.programme_fixture import activity_rows
from warehouse.classify.classification import load_rules
from warehouse.classify.classify import classify_children
from warehouse.clean import programme_steps, steps
from warehouse.clean.answers import Context
from warehouse.clean.household import FORM_ID
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.clean.review_states import POLICY_FILE, load_review_policy, review_summary
from warehouse.indicators import indicators
from warehouse.raw import raw_store
from warehouse.reference import reference_data as ref
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import Activity, Child, Household, IndicatorValue, Quarantine

PSEUDONYMIZER = Pseudonymizer(TEST_PSEUDONYM_KEY)
RULES = load_rules()


def test_the_shipped_policy_names_every_state_of_both_platforms():
    policy = load_review_policy()
    assert policy.actions == {
        "odk_central": {"received": "counted", "edited": "counted", "hasIssues": "flagged", "approved": "counted",
                        "rejected": "excluded"},
        "kobotoolbox": {"not_set": "counted", "validation_status_on_hold": "flagged",
                        "validation_status_approved": "counted", "validation_status_not_approved": "excluded"}}
    # every route stores Central's words; Kobo's statuses are read back as Kobo's
    assert [policy.state(source, stored) for source, stored in [
        ("odk_central", None), ("file:odk_csv_zip", "rejected"), ("demo", "edited"),
        ("kobotoolbox", None), ("kobotoolbox", "edited"), ("file:kobo_xlsx", "hasIssues"),
        ("file:kobo_json", "rejected"), ("kobotoolbox", "approved")]] == [
        ("odk_central", "received"), ("odk_central", "rejected"), ("odk_central", "edited"),
        ("kobotoolbox", "not_set"), ("kobotoolbox", "not_set"), ("kobotoolbox", "validation_status_on_hold"),
        ("kobotoolbox", "validation_status_not_approved"), ("kobotoolbox", "validation_status_approved")]
    assert policy.action("file:kobo_json", "rejected") == "excluded"
    assert policy.action("file:odk_csv_zip", "Bị loại") == "flagged"  # a state no platform has: `other`


@pytest.mark.parametrize(("change", "message"), [
    (("rejected = \"excluded\"\n", ""), r"\[odk_central\] must list exactly the states received, edited"),
    (("not_set = \"counted\"", "not_set = \"counted\"\nnot_approved = \"excluded\""),
     r"\[kobotoolbox\] must list exactly"),
    (("hasIssues = \"flagged\"", "hasIssues = \"flag\""), "hasIssues must be counted, flagged or excluded"),
    (("other = \"flagged\"", "other = 1"), "other must be counted, flagged or excluded"),
    (("version = \"2026.1\"", "version = \" \""), "version must not be empty"),
    (("version = \"2026.1\"", ""), "cannot be read: KeyError 'version'"),
    (("[kobotoolbox]", "[kobotoolbox"), "cannot be read: TOMLDecodeError"),
])
def test_a_policy_file_with_a_state_missing_or_an_unknown_action_is_refused(tmp_path, change, message):
    text = POLICY_FILE.read_text(encoding="utf-8")
    assert change[0] in text
    path = tmp_path / "review_states.toml"
    path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_review_policy(path)


@pytest.fixture
def engine(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    units, legacy = load_admin_units(), ref.load_legacy_units()  # the shipped targets, as the job loads them
    path = ref.SHIPPED_TARGETS
    ref.store_uploads(engine, "targets", {path.name: ref.validate_targets(
        ref.read_table(path, ref.TARGET_COLUMNS), path.name, set(indicators.load_settings().names), units, legacy)})
    ref.store_area_communes(engine, ref.area_communes(units, legacy, set()))
    yield engine
    engine.dispose()


def reviewed(row: dict, state: str, at: str) -> dict:
    """``row`` after a data manager set its review state on Central (which moves ``updatedAt``)."""
    row = copy.deepcopy(row)
    row["__system"].update(reviewState=state, updatedAt=at)
    return row


def household_run(engine, rows: list[dict], ctx: Context | None = None) -> None:
    """The household survey's steps as the job runs them: store, clean, classify, indicators."""
    raw_store.store_records(engine, [record_from_odata_row(r, "7", FORM_ID) for r in rows])
    steps.clean_households(engine, ctx or Context.of_form(PSEUDONYMIZER, FORM_ID))
    classify_children(engine, RULES)
    indicators.refresh(engine, indicators.load_settings(), RULES.version)


def state(engine) -> dict:
    """What the indicators and data managers see: national vn_law 1.1 for 2026, the households with their review
    state, the children, the review exclusions in quarantine."""
    with engine.connect() as conn:
        labour = conn.execute(select(IndicatorValue.numerator, IndicatorValue.denominator).where(
            IndicatorValue.indicator_id == "1.1", IndicatorValue.rule_set == "vn_law", IndicatorValue.period == "2026",
            IndicatorValue.area_level == "national", IndicatorValue.dimension == "total")).one()
        households = dict(conn.execute(select(Household.household_id, Household.review_state)).all())
        children = conn.execute(select(func.count()).select_from(Child)).scalar_one()
        excluded = conn.execute(select(Quarantine.instance_id, Quarantine.entity, Quarantine.field, Quarantine.value,
                                       Quarantine.reason_code)
                                .where(Quarantine.reason_code == "REVIEW_EXCLUDED")).all()
    return {"1.1": tuple(labour), "households": households, "children": children, "excluded": excluded}


def household_id(row: dict) -> str:
    return PSEUDONYMIZER.id("household", FORM_ID, row["__id"])


def test_a_rejected_household_leaves_the_indicators_and_comes_back_when_approved(engine):
    rows = fixture_rows()
    h1, h5 = rows[0], rows[4]
    household_run(engine, rows)
    before = state(engine)
    assert before["1.1"] == (6, 16) and before["children"] == 16 and before["excluded"] == []
    assert len(before["households"]) == 7 and household_id(h5) in before["households"]

    household_run(engine, [reviewed(h5, "rejected", "2026-11-21T09:00:00.000Z"),
                           reviewed(h1, "hasIssues", "2026-11-21T09:00:00.000Z")])
    rejected = state(engine)
    assert rejected["1.1"] == (6, 10) and rejected["children"] == 10
    assert household_id(h5) not in rejected["households"]
    assert rejected["households"][household_id(h1)] == "hasIssues"  # counted, and flagged by its state
    assert rejected["excluded"] == [(h5["__id"], "household", "review_state", "rejected", "REVIEW_EXCLUDED")]
    with engine.connect() as conn:
        assert {(r["state"], r["policy"]): r["submissions"] for r in review_summary(conn, FORM_ID,
                                                                                    load_review_policy())} == {
            ("received", "counted"): 6, ("hasIssues", "flagged"): 1, ("rejected", "excluded"): 1}

    household_run(engine, [reviewed(h5, "approved", "2026-11-22T09:00:00.000Z")])
    approved = state(engine)
    assert approved["1.1"] == (6, 16) and approved["children"] == 16 and approved["excluded"] == []
    assert approved["households"][household_id(h5)] == "approved"
    with engine.connect() as conn:  # the incremental indicators end where recomputing everything ends
        incremental = conn.execute(select(IndicatorValue.indicator_id, IndicatorValue.area_code,
                                          IndicatorValue.period, IndicatorValue.dimension,
                                          IndicatorValue.numerator, IndicatorValue.denominator)).all()
    indicators.refresh(engine, indicators.load_settings(), RULES.version)
    with engine.connect() as conn:
        assert sorted(incremental, key=repr) == sorted(conn.execute(select(
            IndicatorValue.indicator_id, IndicatorValue.area_code, IndicatorValue.period, IndicatorValue.dimension,
            IndicatorValue.numerator, IndicatorValue.denominator)).all(), key=repr)


def test_a_new_policy_version_cleans_every_submission_again(engine, tmp_path: Path):
    rows = fixture_rows()
    h1 = reviewed(rows[0], "hasIssues", "2026-11-21T09:00:00.000Z")
    household_run(engine, [h1, *rows[1:]])
    assert state(engine)["1.1"] == (6, 16)

    stricter = tmp_path / "review_states.toml"  # hasIssues excluded too, under a new version
    stricter.write_text(POLICY_FILE.read_text(encoding="utf-8").replace('hasIssues = "flagged"', 'hasIssues ='
                        ' "excluded"').replace('version = "2026.1"', 'version = "2026.2"'), encoding="utf-8")
    ctx = Context.of_form(PSEUDONYMIZER, FORM_ID)
    household_run(engine, [], Context(ctx.pseudonymizer, ctx.units, ctx.choices, review=load_review_policy(stricter)))
    after = state(engine)
    assert after["1.1"] == (5, 14)  # H1: two children, c2 in child labour
    assert after["excluded"] == [(h1["__id"], "household", "review_state", "hasIssues", "REVIEW_EXCLUDED")]


def test_a_rejected_activity_report_leaves_and_comes_back_when_approved(engine):
    rows = activity_rows()[:4]  # A1–A4
    ctx = Context.of_form(PSEUDONYMIZER, "activity_report")

    def run(changed: list[dict]) -> tuple[int, list]:
        raw_store.store_records(engine, [record_from_odata_row(r, "7", "activity_report") for r in changed])
        programme_steps.clean_activities(engine, ctx)
        with engine.connect() as conn:
            return (conn.execute(select(func.count()).select_from(Activity)).scalar_one(),
                    conn.execute(select(Quarantine.instance_id, Quarantine.entity, Quarantine.value).where(
                        Quarantine.form_id == "activity_report", Quarantine.reason_code == "REVIEW_EXCLUDED")).all())

    assert run(rows) == (3, [])  # the fourth's participants do not add up: quarantined
    assert run([reviewed(rows[1], "rejected", "2026-11-21T09:00:00.000Z")]) == (
        2, [(rows[1]["__id"], "activity", "rejected")])
    assert run([reviewed(rows[1], "approved", "2026-11-22T09:00:00.000Z")]) == (3, [])
