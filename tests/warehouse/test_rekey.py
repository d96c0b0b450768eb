"""``python -m warehouse.ops.rekey``: a warehouse built under one pseudonym key moved to another, on SQLite and
PostgreSQL, through the real pipeline (``dagster.materialize``) and the programme fixture (households, inspections,
activities, cases with visits)."""

from __future__ import annotations

import dagster as dg
import pytest
from sqlalchemy import String, select

from dagster_project.defs.indicators import assets as indicator_assets
from dagster_project.resources import ReferenceFiles, WarehouseResource
from dagster_project.sources import OdkCentralSource
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.connectors.fake_odk_central import DEFAULT_PASSWORD
from tests.pipeline.programme_fixture import subject_case_ids, visit_rows
from tests.pipeline.test_programme_pipeline import CHECKS, FORM_IDS, PIPELINE, PROJECT, central, submit, uploads
from warehouse.clean.pseudonym import KeyMismatch, Pseudonymizer, check_key
from warehouse.ops.rekey import main
from warehouse.schema.clean_links import delete_households
from warehouse.schema.db import make_engine
from warehouse.schema.models import Base, Case, CaseVisit, Household, IndicatorValue

__all__ = ["central", "uploads"]  # fixtures
KEY_A, KEY_B = TEST_PSEUDONYM_KEY, "the-new-key-not-a-secret-either-9876"
ID_COLUMNS = [(t, c) for t in Base.metadata.sorted_tables for c in t.columns
              if c.name.endswith("_id") and isinstance(c.type, String) and c.type.length == 32]  # pseudonymous ids
REBUILT = ("household", "child", "child_classification", "restricted_household_pii", "restricted_child_pii",
           "inspection", "young_worker", "young_worker_classification", "restricted_inspection_pii",
           "restricted_young_worker_pii", "activity", "activity_reach", "restricted_activity_text")
BOOKKEEPING = {"raw_submission_id", "change_seq", "id"}  # differ between two warehouses loaded in another order


def run(url: str, central, uploads, key: str) -> None:
    """The whole pipeline, then the indicators, under ``key``."""
    source = OdkCentralSource(base_url=central.url, email="admin@example.com", password=DEFAULT_PASSWORD,
                              project_id=PROJECT, read_timeout=5, max_tries=3, backoff_factor=0.01,
                              session_dir=central.session_dir)
    resources = {"warehouse": WarehouseResource(url=url, pseudonym_key=key),
                 "reference_files": ReferenceFiles(folder=str(uploads)),
                 **{f"{form_id}_source": source for form_id in FORM_IDS}}
    for selection in (dg.AssetSelection.assets(*PIPELINE), dg.AssetSelection.assets("indicator_values")):
        result = dg.materialize([*PIPELINE, indicator_assets.indicator_values, *CHECKS], selection=selection,
                                resources=resources)
        assert result.success


def ids(engine) -> set[str]:
    with engine.connect() as conn:
        return {v for t, c in ID_COLUMNS for v in conn.execute(select(c).where(c.isnot(None))).scalars()}


def rows(engine, table: str, where=None) -> list[tuple]:
    t = Base.metadata.tables[table]
    columns = [c for c in t.columns if c.name not in BOOKKEEPING]
    with engine.connect() as conn:
        return sorted(map(tuple, conn.execute(select(*columns).where(where if where is not None else True))), key=repr)


def cases(engine) -> dict[str, dict]:
    with engine.connect() as conn:
        return {r.case_id: r._asdict() for r in conn.execute(select(Case))}


def test_rekey_rederives_every_id_and_keeps_the_cases(warehouse_url, central, uploads, tmp_path, monkeypatch,
                                                      request) -> None:
    engine = make_engine(warehouse_url)
    run(warehouse_url, central, uploads, KEY_A)
    submit(central, "case_followup", visit_rows(subject_case_ids(KEY_A)))
    run(warehouse_url, central, uploads, KEY_A)
    made_with_a = ids(engine)
    indicators_a = rows(engine, "indicator_value")
    cases_a = cases(engine)
    with engine.connect() as conn:
        visits_a = sorted(conn.execute(select(CaseVisit.case_id, CaseVisit.visit_date)).all())
    assert len(cases_a) == 10 and len(visits_a) == 12
    with engine.begin() as conn:  # k3's household leaves the clean tables (as a rejected submission does)
        k3 = Household.raw_submission_id == conn.execute(
            select(Household.raw_submission_id).order_by(Household.interview_date.desc())).scalars().first()
        delete_households(conn, k3)

    fresh = (f"sqlite:///{tmp_path / 'fresh.sqlite'}" if warehouse_url.startswith("sqlite")
             else request.getfixturevalue("postgres_server").create_database("clms_test_rekey_fresh"))
    run(fresh, central, uploads, KEY_B)

    monkeypatch.setenv("CLMS_PSEUDONYM_KEY_OLD", KEY_A)
    monkeypatch.setenv("CLMS_PSEUDONYM_KEY", KEY_B)
    assert main(["--url", warehouse_url]) == 0
    run(warehouse_url, central, uploads, KEY_B)

    assert ids(engine) & made_with_a == set()
    fresh_engine = make_engine(fresh)
    for table in REBUILT:
        assert rows(engine, table) == rows(fresh_engine, table), table
    survey = IndicatorValue.source != "cases"  # the fresh warehouse's cases have no visits: theirs carry A's ids
    assert rows(engine, "indicator_value", survey) == rows(fresh_engine, "indicator_value", survey)
    assert rows(engine, "indicator_value") == indicators_a
    cases_b = cases(engine)
    assert cases_b.keys() == cases_a.keys()  # no case lost, none twice
    for case_id, case in cases_b.items():
        assert {**case, "subject_id": None} == {**cases_a[case_id], "subject_id": None}  # code, state, visits
    assert {c["subject_id"] for c in cases_b.values()} == {c["subject_id"] for c in cases(fresh_engine).values()}
    with engine.connect() as conn:
        assert sorted(conn.execute(select(CaseVisit.case_id, CaseVisit.visit_date)).all()) == visits_a

    with pytest.raises(KeyMismatch):
        check_key(engine, Pseudonymizer(KEY_A))
    assert main(["--url", warehouse_url]) == 1  # once moved, the former key is refused as the old one too
    engine.dispose()
    fresh_engine.dispose()
