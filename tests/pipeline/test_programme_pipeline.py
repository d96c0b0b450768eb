"""Inspections, the case register, follow-up visits and activity reports through ``dagster.materialize``, on SQLite and
PostgreSQL, the way they travel for real: submitted to a fake ODK Central (the real forms published to it), pulled
by the real connector. Expected numbers are worked out by hand in ``programme_fixture``.

Visits need the ids of the cases the pipeline derived, so they are submitted after a first run, as collectors
would after the case list reached their phones.
"""

from datetime import timedelta
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import func, or_, select

from connectors.forms import FORMS_DIR
from dagster_project.defs.activities import assets as activity_assets
from dagster_project.defs.activities import checks as activity_checks
from dagster_project.defs.cases import assets as case_assets
from dagster_project.defs.cases import checks as case_checks
from dagster_project.defs.household_survey import assets as household_assets
from dagster_project.defs.indicators import assets as indicator_assets
from dagster_project.defs.inspections import assets as inspection_assets
from dagster_project.defs.inspections import checks as inspection_checks
from dagster_project.defs.reference import assets as reference_assets
from dagster_project.resources import ReferenceFiles, WarehouseResource
from dagster_project.sources import OdkCentralSource
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.connectors.fake_odk_central import DEFAULT_PASSWORD, FakeOdkCentral
from tests.pipeline.programme_fixture import (
    POPULATIONS_CSV,
    activity_rows,
    household_rows,
    inspection_rows,
    subject_case_ids,
    visit_rows,
)
from tests.pipeline.test_household_pipeline import cell
from warehouse.schema.db import make_engine
from warehouse.schema.models import (
    Activity,
    ActivityReach,
    Base,
    Case,
    CaseVisit,
    IndicatorValue,
    Inspection,
    Quarantine,
    RawSubmission,
    YoungWorker,
    YoungWorkerClassification,
)

FORM_IDS = ("household_survey", "workplace_inspection", "case_followup", "activity_report")
PROJECT = 7
PIPELINE = [
    household_assets.raw_household_survey, household_assets.household_tables, household_assets.child_classification,
    inspection_assets.raw_workplace_inspection, inspection_assets.inspection_tables,
    inspection_assets.young_worker_classification,
    case_assets.identified_cases, case_assets.raw_case_followup, case_assets.case_visit_tables,
    case_assets.case_visit_classification, case_assets.case_register,
    activity_assets.raw_activity_report, activity_assets.activity_tables,
    reference_assets.targets, reference_assets.reference_populations, reference_assets.administrative_units,
]
CHECKS = [c for module in (inspection_checks, case_checks, activity_checks) for c in vars(module).values()
          if isinstance(c, dg.AssetChecksDefinition)]
ANALYST_TABLES = [Inspection, YoungWorker, YoungWorkerClassification, Case, CaseVisit, Activity, ActivityReach,
                  IndicatorValue]
CASES = subject_case_ids(TEST_PSEUDONYM_KEY)
NAMES = {"w1", "Trần Thanh Tra", "Cơ sở 1", "Lê Thị Hoa", "Phạm Văn Báo Cáo", "Hoạt động 1", "Nhà văn hoá phường",
         "UBND phường", "danh-sach.pdf", "21.03", "105.84"}  # names, free text, GPS: restricted tables only


def form_values(row: dict) -> dict:
    """The answers of an OData row, as a collector would submit them."""
    return {k: v for k, v in row.items() if not k.startswith("__") and k != "meta" and "@odata" not in k}


def submit(central: FakeOdkCentral, form_id: str, rows: list[dict]) -> None:
    for row in rows:
        central.add_submission(PROJECT, form_id, form_values(row), instance_id=row["__id"])
        if row["__system"]["deletedAt"]:
            central.delete_submission(PROJECT, form_id, row["__id"])


@pytest.fixture
def central():
    with FakeOdkCentral(seed=None) as fake:
        fake.create_project("Giám sát lao động trẻ em", project_id=PROJECT)
        for form_id in FORM_IDS:
            fake.publish_form(PROJECT, (FORMS_DIR / f"{form_id}.xlsx").read_bytes())
        submit(fake, "household_survey", household_rows())
        submit(fake, "workplace_inspection", inspection_rows())
        submit(fake, "activity_report", activity_rows())
        yield fake


@pytest.fixture
def uploads(tmp_path):
    (tmp_path / "populations").mkdir()
    (tmp_path / "populations" / "populations.csv").write_text(POPULATIONS_CSV, encoding="utf-8")
    return tmp_path


def materialize(warehouse_url: str, central: FakeOdkCentral, uploads: Path,
                selection: dg.AssetSelection = dg.AssetSelection.assets(*PIPELINE)) -> dg.ExecuteInProcessResult:
    """Materialize ``selection`` (default: everything but the indicators, which the lead's ``UPSTREAM`` does not
    yet order after the register) and check that every check passed."""
    source = OdkCentralSource(base_url=central.url, email="admin@example.com", password=DEFAULT_PASSWORD,
                              project_id=PROJECT, read_timeout=5, max_tries=3, backoff_factor=0.01,
                              session_dir=central.session_dir)
    result = dg.materialize(
        [*PIPELINE, indicator_assets.indicator_values, *CHECKS],
        selection=selection,
        resources={"warehouse": WarehouseResource(url=warehouse_url, pseudonym_key=TEST_PSEUDONYM_KEY),
                   "reference_files": ReferenceFiles(folder=str(uploads)),
                   **{f"{form_id}_source": source for form_id in FORM_IDS}},
    )
    assert result.success
    assert [e.check_name for e in result.get_asset_check_evaluations() if not e.passed] == []
    return result


def snapshot(engine) -> dict:
    with engine.connect() as conn:
        return {t.name: sorted(map(tuple, conn.execute(select(t)).all()), key=repr)
                for t in Base.metadata.sorted_tables if t.name not in ("pipeline_checkpoint", "sync_cursor")}


def test_register_visits_and_quarantine_by_hand(warehouse_url, central, uploads):
    engine = make_engine(warehouse_url)
    materialize(warehouse_url, central, uploads)
    with engine.connect() as conn:
        cases = {r.case_id: r for r in conn.execute(select(Case))}
    by_subject = {name: cases[case_id] for name, case_id in CASES.items()}
    assert set(cases) == set(CASES.values())  # the ten subjects, nobody else
    assert {name: (c.case_type, c.identified_on.isoformat(), c.sex, c.age_band, c.commune_code, c.status, c.visits)
            for name, c in by_subject.items()} == {
        "w1": ("child_labourer", "2026-03-02", "male", "15-17", "00004", "open", 0),
        "w2": ("at_risk", "2026-03-02", "female", "15-17", "00004", "open", 0),
        "w3": ("child_labourer", "2026-03-09", "male", "13-14", "00004", "open", 0),
        "w4": ("child_labourer", "2026-03-16", "male", "15-17", "00004", "open", 0),
        "w5": ("at_risk", "2026-03-23", "female", "13-14", "00004", "open", 0),
        "w7": ("child_labourer", "2026-04-06", "male", "5-12", "00004", "open", 0),
        "w8": ("child_labourer", "2026-04-13", "female", "15-17", "00004", "open", 0),
        "w9": ("child_labourer", "2026-04-20", "male", "15-17", "00004", "open", 0),
        "k1": ("child_labourer", "2026-02-10", "female", "5-12", "05977", "open", 0),
        "k3": ("at_risk", "2026-05-11", "male", "15-17", "05977", "open", 0),
    }
    assert {c.subject_kind for n, c in by_subject.items() if n.startswith("k")} == {"child"}
    codes = {c.case_code for c in cases.values()}

    submit(central, "case_followup", visit_rows(CASES))
    second = materialize(warehouse_url, central, uploads)
    assert second.asset_materializations_for_node("raw_case_followup")[0].metadata["sync/inserted"].value == 13
    with engine.connect() as conn:
        state = {name: conn.execute(select(Case).where(Case.case_id == case_id)).one()
                 for name, case_id in CASES.items()}
        reasons = sorted(conn.execute(select(Quarantine.entity, Quarantine.field, Quarantine.reason_code)).all())
    assert {c.case_code for c in state.values()} == codes  # codes never change
    days = {name: (c.first_support_on - c.identified_on).days for name, c in state.items() if c.first_support_on}
    assert days == {"w1": 18, "w2": 30, "w3": 31, "w4": 23, "w5": 7, "w7": 9, "w8": 18, "k1": 10}
    assert {name: (c.status, c.visits, c.in_education_at_last_visit, c.child_labour_at_last_visit)
            for name, c in state.items()} == {
        "w1": ("monitoring", 2, True, False), "w2": ("monitoring", 1, True, False),
        "w3": ("supported", 1, True, False), "w4": ("supported", 2, False, False),
        "w5": ("closed", 1, True, False), "w7": ("closed", 1, True, False), "w8": ("supported", 1, True, True),
        "w9": ("open", 0, None, None), "k1": ("monitoring", 1, True, False), "k3": ("open", 1, True, False),
    }
    assert (state["w5"].closed_on - state["w5"].identified_on, state["w5"].closure_reason) == (
        timedelta(days=10), "no_longer_working")
    assert reasons == [("activity", "media/reach_basis", "MISSING_REQUIRED"),
                       ("activity", "participants/total", "TOTAL_NOT_MALE_PLUS_FEMALE"),
                       ("case_visit", "case_id", "INVALID_CASE_ID"), ("case_visit", "case_id", "UNKNOWN_CASE"),
                       ("inspection", "location/commune", "UNKNOWN_COMMUNE"),
                       ("young_worker", "young_worker/age", "AGE_OUT_OF_RANGE")]
    assert_every_kind_of_activity(engine)
    with engine.connect() as conn:
        for model in ANALYST_TABLES:
            for row in conn.execute(select(model.__table__)):
                assert not NAMES & {str(v) for v in row}, model.__tablename__

    before = snapshot(engine)
    third = materialize(warehouse_url, central, uploads)
    for node in ("raw_workplace_inspection", "raw_case_followup", "raw_activity_report"):
        sync = third.asset_materializations_for_node(node)[0].metadata
        assert (sync["sync/inserted"].value, sync["sync/updated"].value) == (0, 0)
    assert snapshot(engine) == before
    with engine.connect() as conn:
        raw = dict(conn.execute(select(RawSubmission.form_id, func.count()).group_by(RawSubmission.form_id)).all())
        quarantined = dict(conn.execute(select(Quarantine.form_id, func.count()).group_by(Quarantine.form_id)).all())
    shown = {e.asset_key.to_user_string(): e.materialization.metadata["dagster/row_count"].value
             for e in third.get_asset_materialization_events()}
    assert len(raw) == 4 and len(quarantined) == 3  # shared tables, of four and three forms' rows
    assert {form: shown[f"raw_{form}"] for form in raw} == raw  # each asset counts its own form's rows
    assert {form: shown[asset] for form, asset in (("workplace_inspection", "inspection_quarantine"),
            ("case_followup", "case_visit_quarantine"), ("activity_report", "activity_quarantine"))} == quarantined
    engine.dispose()


def assert_every_kind_of_activity(engine) -> None:
    """A5–A10 of ``programme_fixture``: each report's own measures, no participants where there is no audience."""
    a = Activity
    with engine.connect() as conn:
        new_kinds = or_(a.participants_total.is_(None), a.campaign.is_not(None))  # A1–A4 have neither
        rows = {r.activity_type: r for r in conn.execute(select(a).where(new_kinds))}
        reach = sorted(conn.execute(select(ActivityReach.audience, ActivityReach.reached).join(
            a, a.activity_id == ActivityReach.activity_id).where(a.activity_type == "campaign_launch")).all())
    assert set(rows) == {"media_broadcast", "materials_distribution", "campaign_launch", "pledge_signing",
                         "supervision_visit", "parent_sanction"}
    assert {t: r.participants_total for t, r in rows.items()} == {
        "media_broadcast": None, "materials_distribution": None, "campaign_launch": 20, "pledge_signing": None,
        "supervision_visit": None, "parent_sanction": None}
    broadcast, leaflets = rows["media_broadcast"], rows["materials_distribution"]
    assert (broadcast.campaign, broadcast.channel, broadcast.airings, broadcast.estimated_reach,
            broadcast.reach_basis) == ("world_day", "commune_radio", 8, 3000, "households_covered")
    assert (leaflets.channel, leaflets.copies, leaflets.estimated_reach) == ("leaflets", 5000, None)
    assert (rows["campaign_launch"].campaign, reach) == ("vi_dan_em", [("volunteers", 8), ("youth_pioneer_cadres", 12)])
    assert (rows["pledge_signing"].pledge_signer, rows["pledge_signing"].pledges_signed) == (
        "craft_village_households", 20)
    assert (rows["supervision_visit"].supervisor_level, rows["supervision_visit"].issues_found) == ("provincial", True)
    sanction = rows["parent_sanction"]
    assert (sanction.sanctioned_people, sanction.sanction_warning, sanction.sanction_fine, sanction.fines_vnd,
            sanction.sanction_agency) == (2, True, True, 3_000_000, "commune_committee")


def test_indicators_by_hand(warehouse_url, central, uploads):
    engine = make_engine(warehouse_url)
    materialize(warehouse_url, central, uploads)
    submit(central, "case_followup", visit_rows(CASES))
    materialize(warehouse_url, central, uploads)
    materialize(warehouse_url, central, uploads, selection=dg.AssetSelection.assets("indicator_values"))

    def value(indicator: str, area: str = "VN", source: str = "cases", rule_set: str = "", **where):
        c = cell(engine, indicator, rule_set, area, source=source, **where)
        return c.numerator, c.denominator, c.value, c.status

    assert value("1.2") == (7, 10, 0.7, "off_track")  # w3 at 31 days is late; w2 at 30 is in time
    assert value("1.2", dimension="case_type", value="child_labourer")[:3] == (5, 7, 5 / 7)
    assert value("1.3")[:3] == (8, 9, 8 / 9)
    assert value("4.2a")[:3] == (5, 6, 5 / 6)
    assert value("4.2b")[:3] == (8, None, 18.0)
    assert cell(engine, "4.2c", "", "VN", source="cases").suppressed  # two closures, both in commune A: its count
    assert value("4.1a", source="inspections")[:3] == (6, 8, 0.75)
    assert value("4.1b", source="inspections")[:3] == (7, 8, 0.875)
    assert value("4.1c", source="inspections")[:3] == (6, 8, 0.75)
    # establishments identify no child (disclosure.toml): commune A's 1 of 2 cooperatives in violation is shown
    assert value("4.1b", "00004", "inspections", dimension="establishment_type", value="cooperative")[:3] == (
        1, 2, 0.5)  # I7 yes, I8 none
    assert value("2.3", source="inspections")[:3] == (6, 8, 0.75)
    assert value("1.1h", source="inspections", rule_set="vn_law")[:3] == (5, 6, 5 / 6)
    assert value("2.1a", "01", "activities")[:3] == (30, 200, 0.15)
    assert value("2.2", "01", "activities")[:3] == (420, 1000, 0.42)
    assert value("3.1a", "01", "activities")[:3] == (24, 50, 0.48)
    assert value("2.1b", "01", "activities") == (50, None, None, "no_denominator")  # no caregivers population
    assert value("2.3", "01", "activities_inspections") == (12, None, None, "no_denominator")

    before = snapshot(engine)
    materialize(warehouse_url, central, uploads)
    materialize(warehouse_url, central, uploads, selection=dg.AssetSelection.assets("indicator_values"))
    assert snapshot(engine) == before
    engine.dispose()

