"""The hostile corpus of tests/faults/hostile.py: every case stored, cleaned and accounted for, alike on SQLite and
PostgreSQL, and the pipeline run on it logs no row value (tests/faults/README.md says what each class proves)."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg
import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import DBAPIError

from connectors.odk_central import record_from_odata_row
from connectors.records import SubmissionRecord
from connectors.sources import Source
from dagster_project.resources import ReferenceFiles, WarehouseResource
from dagster_project.sources import FileImportSource, SubmissionSource
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.faults import hostile
from tests.faults.harness import snapshot
from tests.faults.test_bad_submissions import accounted_for, clean, ctx  # noqa: F401 - ctx: a fixture
from tests.pipeline.test_household_pipeline import ASSETS, CHECKS
from warehouse.clean import programme_steps
from warehouse.clean.answers import Context
from warehouse.clean.inspection import FORM_ID as INSPECTION
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.raw.raw_store import store_records
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import Household, Inspection, Quarantine, RawSubmission, RestrictedHouseholdPii


def outcomes(engine, rows: dict[str, dict]) -> dict[str, object]:
    """Each case's quarantine reasons (entity, field, code), or "clean" when it loaded, or "lost"."""
    found = {}
    with engine.connect() as conn:
        for name, row in rows.items():
            raw_id = conn.execute(select(RawSubmission.id).where(RawSubmission.instance_id == row["__id"])).scalar()
            reasons = conn.execute(select(Quarantine.entity, Quarantine.field, Quarantine.reason_code)
                                   .where(Quarantine.raw_submission_id == raw_id)).all()
            loaded = conn.execute(select(func.count()).select_from(Household)
                                  .where(Household.raw_submission_id == raw_id)).scalar()
            found[name] = [tuple(r) for r in reasons] or ("clean" if loaded else "lost")
    return found


def store_values(engine, ctx) -> dict[str, dict]:
    rows = hostile.rows()
    store_records(engine, hostile.records(list(rows.values())))
    clean(engine, ctx)
    return rows


def test_each_hostile_value_is_stored_and_ends_clean_or_quarantined_with_its_reason(warehouse_url, ctx):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    rows = store_values(engine, ctx)
    expected = {name: e if e == "clean" else [e] for name, (_, e) in hostile.CASES.items()}
    assert outcomes(engine, rows) == {**expected, "good": "clean"}
    clean(engine, ctx)  # and again: nothing is stuck
    accounted_for(engine)
    engine.dispose()


def store_identity_steps(engine, ctx) -> list[str]:
    """Store and clean each identity step; what each left, as (raw rows, households)."""
    left = []
    for step, records in hostile.identity_steps(hostile.schema()):
        store_records(engine, records)
        clean(engine, ctx)
        with engine.connect() as conn:
            left.append((step, conn.execute(select(func.count()).select_from(RawSubmission)).scalar(),
                         conn.execute(select(func.count()).select_from(Household)).scalar()))
        accounted_for(engine)
    return left


def test_a_submission_is_one_household_whatever_route_file_or_project_brings_it(warehouse_url, ctx):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    left = store_identity_steps(engine, ctx)
    assert [(raw, households) for _, raw, households in left] == [(2, 2), (2, 2), (3, 3), (3, 3), (4, 4), (4, 4)], left
    with engine.connect() as conn:
        kept = {int(r.instance_id[-2:]): (r.source, r.project, r.payload["household"]["hh_size"])
                for r in conn.execute(select(RawSubmission))}
        sizes = sorted(conn.execute(select(Household.hh_size)).scalars())
    assert kept == hostile.IDENTITY_OUTCOME
    assert sizes == sorted(size for *_, size in hostile.IDENTITY_OUTCOME.values())
    engine.dispose()


@pytest.mark.postgres
def test_sqlite_and_postgresql_end_with_the_same_warehouse(postgres_server, tmp_path, ctx):
    warehouses = [f"sqlite:///{tmp_path / 'corpus.sqlite'}", postgres_server.create_database("clms_hostile_corpus")]
    for url in warehouses:
        engine = make_engine(url)
        upgrade(engine)
        store_values(engine, ctx)
        store_identity_steps(engine, ctx)
        engine.dispose()
    sqlite, postgresql = (snapshot(url) for url in warehouses)
    for table in ("raw_submission", "raw_submission_history", "household", "child", "quarantine",
                  "restricted_household_pii", "restricted_child_pii"):
        assert sqlite[table] == postgresql[table], table
    assert len(sqlite["raw_submission"]) == len(hostile.CASES) + 1 + len(hostile.IDENTITY_OUTCOME)


class HostileServer(SubmissionSource):
    """Configures :class:`_Hostile`."""

    def source(self, warehouse=None) -> Source:
        return _Hostile()


class _Hostile(Source):
    """A server whose OData rows are the value corpus (a real ODK Central types every answer by the form, so no
    real one serves an object as a name: this stands in for a broken or malicious one). Its rows go through the
    real ``record_from_odata_row``, as the ODK Central sync's do."""

    name = "odk_central"
    project_key = "7"

    def open_sync(self, form_id, cursor, stored=None):
        central = hostile.identity_steps(hostile.schema())[0][1]  # two submissions the exports hold again
        return _Run([*hostile.records(list(hostile.rows().values())), *central])


class _Run:
    def __init__(self, records: Sequence[SubmissionRecord]):
        self._records, self.cursor = records, {"rows": len(records)}

    def __iter__(self):
        return iter(self._records)


def test_the_pipeline_on_the_hostile_corpus_succeeds_and_logs_no_row_value(tmp_path):
    """The value corpus and two households from a server, then the identity corpus's exports (holding those two
    again) dropped into the imports folder, each
    run by Dagster as the job runs it; every event the instance recorded is searched for the corpus's names, phones
    and coordinates."""
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    folder = tmp_path / "imports" / "household_survey"
    folder.mkdir(parents=True)
    for name, content in hostile.identity_files(hostile.schema()).items():
        (folder / name).write_bytes(content)
    instance = dg.DagsterInstance.ephemeral()
    runs = []
    for source in (HostileServer(), FileImportSource(folder=str(tmp_path / "imports"))):
        result = dg.materialize([*ASSETS, *CHECKS], instance=instance, raise_on_error=False, resources={
            "warehouse": WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY),
            "household_survey_source": source, "reference_files": ReferenceFiles(folder=str(tmp_path / "uploads"))})
        runs.append(result)
    events = "\n".join(repr(entry) for result in runs for entry in instance.all_logs(result.run_id))
    leaked = [value for value in hostile.pii(30) if value in events]
    assert [r.success for r in runs] == [True, True] and not leaked, leaked
    engine = make_engine(url)
    accounted_for(engine)
    with engine.connect() as conn:  # the values were there to leak
        names = conn.execute(select(RestrictedHouseholdPii.respondent_name)).scalars().all()
    assert any(hostile.NAME in name for name in names)
    engine.dispose()


def test_a_failing_write_shows_no_value_of_its_rows(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    row = {"household_id": "h1", "respondent_name": hostile.NAME, "respondent_phone": hostile.PHONE,
           "gps_lat": hostile.LAT}
    with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
        conn.execute(insert(RestrictedHouseholdPii), [row, row])  # the same household twice
    assert not [value for value in (hostile.NAME, hostile.PHONE, str(hostile.LAT)) if value in str(caught.value)]
    engine.dispose()


def test_a_hostile_inspection_is_quarantined_and_its_batch_loads(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    cases = hostile.inspections()
    store_records(engine, [record_from_odata_row(row, "7", INSPECTION) for row, _ in cases.values()])
    programme_steps.clean_inspections(engine, Context.of_form(Pseudonymizer(TEST_PSEUDONYM_KEY), INSPECTION))
    found = {}
    with engine.connect() as conn:
        for name, (row, _) in cases.items():
            raw_id = conn.execute(select(RawSubmission.id).where(RawSubmission.instance_id == row["__id"])).scalar()
            reasons = conn.execute(select(Quarantine.entity, Quarantine.field, Quarantine.reason_code)
                                   .where(Quarantine.raw_submission_id == raw_id)).all()
            loaded = conn.execute(select(func.count()).select_from(Inspection)
                                  .where(Inspection.raw_submission_id == raw_id)).scalar()
            found[name] = [tuple(r) for r in reasons] or ("clean" if loaded else "lost")
    assert found == {name: e if e == "clean" else [e] for name, (_, e) in cases.items()}
    engine.dispose()
