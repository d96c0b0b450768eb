"""What the fault tests share: a fake ODK Central holding demo households, the pipeline as Dagster runs it, and a
snapshot of the warehouse that two runs must agree on."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from sqlalchemy import select

from connectors.demo import demo_communes, household_rows
from connectors.forms import FORMS_DIR
from dagster_project.resources import ReferenceFiles, WarehouseResource
from dagster_project.sources import OdkCentralSource
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.connectors.fake_odk_central import DEFAULT_PASSWORD, FakeOdkCentral
from tests.pipeline.test_household_pipeline import ASSETS, CHECKS, FORM, PROJECT
from warehouse.clean.household import FORM_ID
from warehouse.schema.db import make_engine
from warehouse.schema.models import (
    Child,
    ChildClassification,
    Household,
    IndicatorValue,
    PipelineCheckpoint,
    Quarantine,
    RawSubmission,
    RawSubmissionHistory,
    RestrictedChildPii,
    RestrictedHouseholdPii,
    SyncCursor,
)

ANALYST_TABLES = (Household, Child, ChildClassification, IndicatorValue)
# what differs between two equal warehouses: surrogate ids and the moments rows were written
VOLATILE = {"id", "raw_submission_id", "first_loaded_at", "last_changed_at", "replaced_at", "last_synced_at"}
COMPARED = (RawSubmission, RawSubmissionHistory, SyncCursor, PipelineCheckpoint, Household, Child, ChildClassification,
            Quarantine, RestrictedHouseholdPii, RestrictedChildPii, IndicatorValue)


def form_values(row: dict) -> dict:
    """The answers of an OData row as a collector submits them (a geopoint as ODK's "lat lon alt accuracy")."""
    values = {k: v for k, v in row.items() if not k.startswith("__") and k not in ("meta", "child@odata.navigationLink")}
    gps = (values.get("location") or {}).get("gps")
    if isinstance(gps, dict):
        lon, lat, alt = gps["coordinates"]
        values["location"] = {**values["location"], "gps": f"{lat} {lon} {alt} {gps['properties']['accuracy']}"}
    return values


def demo_households(count: int, seed: int = 11) -> list[dict]:
    return list(household_rows(demo_communes(FORMS_DIR / "media" / "communes.csv"), count, seed))


@contextmanager
def central_with(rows: list[dict]):
    """A started fake Central with the real household form and ``rows`` submitted a second apart (deleted and
    approved as the demo says)."""
    with FakeOdkCentral(seed=None) as fake:
        fake.create_project("Giám sát lao động trẻ em", project_id=PROJECT)
        fake.publish_form(PROJECT, FORM.read_bytes())
        fake.clock.set("2026-11-01T00:00:00.000Z")
        add(fake, rows)
        yield fake


def add(fake: FakeOdkCentral, rows: list[dict]) -> None:
    for row in rows:
        fake.clock.advance(1)
        fake.add_submission(PROJECT, FORM_ID, form_values(row), instance_id=row["__id"])
        system = row["__system"]
        if system["deletedAt"]:
            fake.delete_submission(PROJECT, FORM_ID, row["__id"])
        elif system["reviewState"] == "approved":
            fake.set_review_state(PROJECT, FORM_ID, row["__id"], "approved")


def source(fake: FakeOdkCentral | str, **options: Any) -> OdkCentralSource:
    """The ODK Central source (a fake or its URL) with short timeouts and many quick tries (faults are
    injected often) and small pages (many requests)."""
    settings = {"page_size": 7, "read_timeout": 0.5, "max_tries": 8, "backoff_factor": 0.001, **options}
    if not isinstance(fake, str):
        settings.setdefault("session_dir", fake.session_dir)
    url = fake if isinstance(fake, str) else fake.url
    return OdkCentralSource(base_url=url, email="admin@example.com", password=DEFAULT_PASSWORD,
                            project_id=PROJECT, **settings)


def materialize(warehouse_url: str, odk: OdkCentralSource, uploads: Path, *,
                raise_on_error: bool = True) -> dg.ExecuteInProcessResult:
    """The household survey, reference data and indicators, as the job materializes them."""
    return dg.materialize(
        [*ASSETS, *CHECKS],
        resources={"warehouse": WarehouseResource(url=warehouse_url, pseudonym_key=TEST_PSEUDONYM_KEY),
                   "household_survey_source": odk, "reference_files": ReferenceFiles(folder=str(uploads))},
        raise_on_error=raise_on_error,
    )


def snapshot(warehouse_url: str, *, ignore: frozenset[str] = frozenset()) -> dict[str, list[tuple]]:
    """Every row of the raw, clean, derived and bookkeeping tables, without surrogate ids, load times and the
    columns in ``ignore``."""
    engine = make_engine(warehouse_url)
    try:
        with engine.connect() as conn:
            tables = {}
            for model in COMPARED:
                columns = [c for c in model.__table__.columns if c.name not in VOLATILE | ignore]
                rows = conn.execute(select(*columns)).all()
                tables[model.__tablename__] = sorted((tuple(r) for r in rows), key=repr)
            return tables
    finally:
        engine.dispose()
