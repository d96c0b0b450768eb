"""The whole household-survey pipeline with ``dagster.materialize``, on SQLite and PostgreSQL.

Submissions travel the real way: the hand-worked fixture is submitted to a fake ODK Central on loopback
(the real form published to it), pulled by the real connector, and materialized into a real warehouse.
Expected numbers are worked out by hand in ``household_fixture``.
"""

from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import select

from connectors.forms import FORMS_DIR
from dagster_project.defs.household_survey import assets, checks
from dagster_project.defs.indicators import assets as indicator_assets
from dagster_project.defs.indicators import checks as indicator_checks
from dagster_project.defs.reference import assets as reference_assets
from dagster_project.resources import ReferenceFiles, WarehouseResource
from dagster_project.sources import OdkCentralSource
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.connectors.fake_odk_central import DEFAULT_PASSWORD, FakeOdkCentral
from tests.pipeline.household_fixture import edit_h9, fixture_rows
from warehouse.schema.db import make_engine
from warehouse.schema.models import (
    Child,
    ChildClassification,
    Household,
    IndicatorValue,
    Quarantine,
    RawSubmission,
    RestrictedChildPii,
    RestrictedHouseholdPii,
)

FORM = FORMS_DIR / "household_survey.xlsx"
PROJECT = 7
REFERENCE = [reference_assets.targets, reference_assets.reference_populations, reference_assets.administrative_units]
ASSETS = [assets.raw_household_survey, assets.household_tables, assets.child_classification, *REFERENCE,
          indicator_assets.indicator_values]
CHECKS = [checks.households_accounted_for, checks.households_ids_unique, checks.households_communes_valid,
          checks.children_ids_unique, checks.children_ages_plausible, checks.household_rows_linked,
          checks.child_classification_complete, indicator_checks.indicator_cells_consistent]
ANALYST_TABLES = [Household, Child, ChildClassification, IndicatorValue]


def form_values(row: dict) -> dict:
    """The answers of an OData row, as a collector would submit them."""
    return {k: v for k, v in row.items() if not k.startswith("__") and k not in ("meta", "child@odata.navigationLink")}


@pytest.fixture
def central():
    with FakeOdkCentral(seed=None) as fake:
        fake.create_project("Giám sát lao động trẻ em", project_id=PROJECT)
        fake.publish_form(PROJECT, FORM.read_bytes())
        for row in fixture_rows():
            fake.add_submission(PROJECT, "household_survey", form_values(row), instance_id=row["__id"])
            if row["__system"]["deletedAt"]:
                fake.delete_submission(PROJECT, "household_survey", row["__id"])
        yield fake


def materialize(warehouse_url: str, central: FakeOdkCentral, uploads: Path) -> dg.ExecuteInProcessResult:
    source = OdkCentralSource(base_url=central.url, email="admin@example.com", password=DEFAULT_PASSWORD,
                              project_id=PROJECT, read_timeout=5, max_tries=3, backoff_factor=0.01,
                              session_dir=central.session_dir)
    result = dg.materialize(
        [*ASSETS, *CHECKS],
        resources={"warehouse": WarehouseResource(url=warehouse_url, pseudonym_key=TEST_PSEUDONYM_KEY),
                   "household_survey_source": source, "reference_files": ReferenceFiles(folder=str(uploads))},
    )
    assert result.success
    failed = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
    assert failed == []
    return result


def cell(engine, indicator: str, rule_set: str, area: str, period: str = "2026", dimension: str = "total",
         value: str = "all", source: str = "household_survey", code_list_version: str | None = None):
    level = {"VN": "national"}.get(area, "province" if len(area) == 2 else "commune")
    version = code_list_version or ("national" if area == "VN" else "vn-2025-07")
    with engine.connect() as conn:
        return conn.execute(select(IndicatorValue).where(
            IndicatorValue.indicator_id == indicator, IndicatorValue.rule_set == rule_set,
            IndicatorValue.source == source, IndicatorValue.area_level == level,
            IndicatorValue.code_list_version == version,
            IndicatorValue.area_code == area, IndicatorValue.period == period,
            IndicatorValue.dimension == dimension, IndicatorValue.dimension_value == value)).one()


def snapshot(engine) -> dict:
    tables = [*ANALYST_TABLES, RawSubmission, Quarantine, RestrictedHouseholdPii, RestrictedChildPii]
    with engine.connect() as conn:
        return {m.__tablename__: sorted(map(tuple, conn.execute(select(m.__table__)).all()), key=repr)
                for m in tables}


def test_pipeline_by_hand(warehouse_url, central, tmp_path):
    engine = make_engine(warehouse_url)

    first = materialize(warehouse_url, central, tmp_path)
    sync = first.asset_materializations_for_node("raw_household_survey")[0].metadata
    assert sync["sync/inserted"].value == 9 and sync["deleted_submissions"].value == 1
    with engine.connect() as conn:
        assert conn.execute(select(Household.household_id)).all().__len__() == 7  # H7 quarantined, H8 deleted
        assert len(conn.execute(select(Child.child_id)).all()) == 16
        reasons = sorted(conn.execute(select(Quarantine.entity, Quarantine.field, Quarantine.reason_code)).all())
    assert reasons == [("child", "child/age", "AGE_OUT_OF_RANGE"),
                       ("household", "location/commune", "UNKNOWN_COMMUNE")]
    national = cell(engine, "1.1", "vn_law", "VN")
    assert (national.numerator, national.denominator, national.value) == (6, 16, 0.375)  # before the edit

    central.edit_submission(PROJECT, "household_survey", fixture_rows()[8]["__id"], form_values(edit_h9(fixture_rows()[8])))
    second = materialize(warehouse_url, central, tmp_path)
    sync = second.asset_materializations_for_node("raw_household_survey")[0].metadata
    assert sync["sync/updated"].value == 1 and sync["sync/inserted"].value == 0

    national = cell(engine, "1.1", "vn_law", "VN")
    assert (national.numerator, national.denominator, national.value, national.suppressed) == (5, 16, 0.3125, False)
    assert national.ci_low == pytest.approx(0.1416, abs=5e-4) and national.ci_high == pytest.approx(0.5560, abs=5e-4)
    # Hà Nội is commune A alone, Lạng Sơn commune B alone: with commune cells hidden for their small counts, the
    # nation less one province would give the other, so Hà Nội's cells are hidden too (never for a small count of
    # its own: a province is no small area)
    hanoi = cell(engine, "1.1", "vn_law", "01")
    assert hanoi.suppressed and hanoi.numerator is None and hanoi.suppression_reason == "complementary"
    old_hanoi = cell(engine, "1.1", "vn_law", "01", code_list_version="vn-legacy")  # Plan 195/KH-UBND's territory
    assert (old_hanoi.suppressed, old_hanoi.exact_territory, old_hanoi.target_comparator, old_hanoi.target_value,
            old_hanoi.target_year, old_hanoi.status) == (True, True, "<", 0.01, 2030, "suppressed")
    assert cell(engine, "1.1", "vn_law", "VN", dimension="urban_rural", value="urban").value == 0.3125
    with engine.connect() as conn:
        reasons = set(conn.execute(select(IndicatorValue.suppression_reason).where(
            IndicatorValue.area_level != "commune")).scalars())
    assert "small_count" not in reasons
    assert (national.target_comparator, national.target_value, national.target_year) == ("<=", 0.045, 2030)
    survey_2_2 = cell(engine, "2.2", "", "VN")  # every fixture child was informed; 2025's 70% is the latest target
    assert (survey_2_2.numerator, survey_2_2.denominator, survey_2_2.value, survey_2_2.target_value,
            survey_2_2.status) == (16, 16, 1.0, 0.7, "met")
    with engine.connect() as conn:
        c16 = conn.execute(select(ChildClassification.child_labour, ChildClassification.rules_version)
                           .join(Child, Child.child_id == ChildClassification.child_id)
                           .join(Household, Household.household_id == Child.household_id)
                           .where(Household.commune_code == "05977", Child.age == 16, Child.working)).all()
    assert [row.child_labour for row in c16] == [False, False]  # vn_law and icls, after the edit

    before = snapshot(engine)
    third = materialize(warehouse_url, central, tmp_path)
    sync = third.asset_materializations_for_node("raw_household_survey")[0].metadata
    assert sync["sync/unchanged"].value >= 1 and sync["sync/updated"].value == 0 and sync["sync/inserted"].value == 0
    assert snapshot(engine) == before
    engine.dispose()


def test_analyst_tables_hold_no_names_phones_or_gps(warehouse_url, central, tmp_path):
    materialize(warehouse_url, central, tmp_path)
    engine = make_engine(warehouse_url)
    secrets = {"Nguyễn Văn Điều Tra", "Chủ hộ 1", "0912345678", "Thôn 1", "105.8", "21.0", "too old"}
    with engine.connect() as conn:
        for model in ANALYST_TABLES:
            for row in conn.execute(select(model.__table__)):
                assert not secrets & {str(v) for v in row}, model.__tablename__
        names = conn.execute(select(RestrictedHouseholdPii.respondent_name)).scalars().all()
    assert "Chủ hộ 1" in names  # they are kept, in the restricted table
    engine.dispose()
