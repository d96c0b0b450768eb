"""The indicator step, after edits, ends exactly where a warehouse loaded with the final answers once ends.

Demo households through the real steps (store, clean, classify, indicators) on SQLite and PostgreSQL, then
edits that move households between communes and years, change answers, withdraw consent, delete and add.
"""

from __future__ import annotations

import copy
import shutil

import pytest
from sqlalchemy import select

from connectors.demo import demo_communes, household_row
from connectors.forms import FORMS_DIR, definition
from connectors.odk_central import record_from_odata_row
from warehouse.classify.classification import load_rules
from warehouse.classify.classify import classify_children
from warehouse.clean import prefetch, steps
from warehouse.clean.household import FORM_ID, Context
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.indicators import indicators, survey_counts
from warehouse.indicators.indicators import _parts
from warehouse.raw import raw_store
from warehouse.reference import reference_data as ref
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.clean_links import orphans
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import IndicatorValue, Target

SEED = 11
HOUSEHOLDS = 400


def runner(engine):
    """The steps from raw rows to indicators on ``engine``: ``run(rows, full=...)``."""
    settings, rules = indicators.load_settings(), load_rules()
    ctx = Context(Pseudonymizer("incremental-indicators-test-key"), load_admin_units(),
                  definition(FORM_ID).codes)

    def run(rows: list[dict]) -> indicators.Refreshed:
        raw_store.store_records(engine, [record_from_odata_row(r, "1", FORM_ID) for r in rows])
        steps.clean_households(engine, ctx)
        classify_children(engine, rules)
        return indicators.refresh(engine, settings, rules.version)

    return run


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def started(request, tmp_path_factory):
    """A warehouse with the targets and the first demo households through every step, on each backend, built
    once for the module: its URL, the PostgreSQL server or None, and what the first indicator run did."""
    server = None if request.param == "sqlite" else request.getfixturevalue("postgres_server")
    url = new_warehouse(server, tmp_path_factory.mktemp("started"), "started")
    communes = demo_communes(FORMS_DIR / "media" / "communes.csv")
    engine = make_engine(url)
    first = runner(engine)([household_row(communes, n, SEED) for n in range(HOUSEHOLDS)])
    engine.dispose()
    return url, server, first


def new_warehouse(server, folder, name: str) -> str:
    """The URL of a new warehouse (on ``server``, else SQLite in ``folder``) with the shipped targets and areas."""
    url = f"sqlite:///{folder / 'warehouse.sqlite'}" if server is None else server.create_database(f"clms_{name}")
    engine = make_engine(url)
    upgrade(engine)
    units, legacy = load_admin_units(), ref.load_legacy_units()
    path = ref.SHIPPED_TARGETS
    rows = ref.validate_targets(ref.read_table(path, ref.TARGET_COLUMNS), path.name,
                                set(indicators.load_settings().names), units, legacy)
    ref.store_uploads(engine, "targets", {path.name: rows})
    ref.store_legacy_communes(engine, ref.legacy_commune_rows(legacy))
    with engine.connect() as conn:
        legacy_areas = set(conn.execute(select(Target.jurisdiction_level, Target.jurisdiction_code)
                                        .where(Target.code_list_version == ref.LEGACY)).all())
    ref.store_area_communes(engine, ref.area_communes(units, legacy, legacy_areas))
    engine.dispose()
    return url


@pytest.fixture
def pipeline(started, tmp_path):
    """A copy of the started warehouse for one test: its engine, ``run`` and the first run's result."""
    url, server, first = started
    if server is None:
        shutil.copy(url.removeprefix("sqlite:///"), tmp_path / "warehouse.sqlite")
        copy = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    else:
        copy = server.create_database(f"clms_refresh_{tmp_path.name}", template=url.rsplit("/", 1)[1])
    engine = make_engine(copy)
    yield engine, runner(engine), first
    engine.dispose()


def table(engine, model) -> list[tuple]:
    columns = [c for c in model.__table__.columns]
    with engine.connect() as conn:
        rows = conn.execute(select(*columns)).all()
    return sorted((tuple(round(v, 12) if isinstance(v, float) else v for v in row) for row in rows), key=repr)


def edited(rows: list[dict], communes: list) -> list[dict]:
    """Edits of the first households: moved to another commune (and province), to another year, poverty and
    craft village changed, consent withdrawn, children swapped between households, and deleted."""
    changed = []
    for n, original in enumerate(rows[:60]):
        row = copy.deepcopy(original)
        row["__system"]["updatedAt"] = "2026-11-20T10:00:00.000Z"
        kind = n % 6
        if kind == 0:
            commune, province, _ = communes[(communes.index(next(c for c in communes
                                                                  if c[0] == row["location"]["commune"])) + 4)
                                            % len(communes)]
            row["location"].update(commune=commune, province=province)
        elif kind == 1:
            row["interview_date"] = "2025-08-15" if row["interview_date"] >= "2026" else "2026-08-15"
        elif kind == 2 and row["consent"] == "yes":
            row["household"]["poverty_status"] = "poor" if row["household"]["poverty_status"] != "poor" else "not_poor"
            row["household"]["craft_village"] = "no" if row["household"]["craft_village"] == "yes" else "yes"
        elif kind == 3:
            row["consent"] = "no"
            row["household"] = {k: None for k in row["household"]}
            row["child"] = []
        elif kind == 4:
            row["child"] = copy.deepcopy(rows[-1 - n].get("child") or [])
        else:
            row["__system"]["deletedAt"] = "2026-11-20T10:00:00.000Z"
        changed.append(row)
    return changed


def test_edits_end_where_loading_the_final_answers_once_ends(started, pipeline, tmp_path):
    engine, run, first = pipeline
    communes = demo_communes(FORMS_DIR / "media" / "communes.csv")
    rows = [household_row(communes, n, SEED) for n in range(HOUSEHOLDS)]
    assert first.survey_cells > 0

    later = edited(rows, communes) + [household_row(communes, n, SEED) for n in range(HOUSEHOLDS, HOUSEHOLDS + 40)]
    run(later)
    with engine.connect() as conn:
        assert not any(orphans(conn).values())  # children removed and households deleted took their rows along
    updated = table(engine, IndicatorValue)
    run([])
    assert table(engine, IndicatorValue) == updated

    final = {r["__id"]: r for r in [*rows, *later]}
    (tmp_path / "once").mkdir()
    once = make_engine(new_warehouse(started[1], tmp_path / "once", f"once_{tmp_path.name}"))
    runner(once)([r for r in final.values() if not r["__system"].get("deletedAt")])
    assert table(once, IndicatorValue) == updated
    once.dispose()
    statuses = {row.status for row in engine.connect().execute(select(IndicatorValue.status)).all()}
    assert {"met", "off_track"} & statuses, "the targets' statuses are part of what is compared"
    dimensions = set(engine.connect().execute(select(IndicatorValue.dimension).distinct()).scalars())
    assert {"work_sector", "craft_village"} <= dimensions  # the demo's households give them


@pytest.mark.parametrize("workers", [0, 1])
def test_the_communes_made_in_parts_equal_them_made_at_once(pipeline, monkeypatch, workers):
    """The refresh makes the communes' cells by parts of their counts, in a worker process when there
    are many: small parts (in line, or in a worker) give exactly the cells of one part holding everything."""
    engine, run, _ = pipeline
    whole = table(engine, IndicatorValue)
    monkeypatch.setattr(indicators, "PART_ROWS", 40)
    monkeypatch.setattr(prefetch, "WORKERS", workers)
    made = []
    monkeypatch.setattr(indicators, "_parts", lambda *frames: made.extend(parts := _parts(*frames)) or parts)
    run([])
    assert len(made) >= prefetch.PARALLEL_FROM and len({p[0]["commune_code"].iloc[0] for p in made}) == len(made)
    assert table(engine, IndicatorValue) == whole


@pytest.mark.postgres
def test_the_workers_half_of_the_counts_reads_the_refreshing_transactions_snapshot(postgres_server):
    """On PostgreSQL the worker's half of a full count imports the snapshot of the refreshing transaction: a
    household committed meanwhile is not in it, as it is not in what the refreshing transaction reads."""
    engine = make_engine(postgres_server.create_database("clms_counts_snapshot"))
    upgrade(engine)
    ctx = Context(Pseudonymizer("snapshot-test-key"), load_admin_units(), definition(FORM_ID).codes)
    communes = demo_communes(FORMS_DIR / "media" / "communes.csv")

    def add(rows):
        raw_store.store_records(engine, [record_from_odata_row(r, "1", FORM_ID) for r in rows])
        steps.clean_households(engine, ctx)
        classify_children(engine, load_rules())

    add([household_row(communes, n, SEED) for n in range(50)])
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as refreshing, refreshing.begin():
        before = survey_counts.current_between(refreshing, None, None)
        snapshot = refreshing.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
        add([household_row(communes, n, SEED) for n in range(50, 80)])
        with engine.connect() as worker:
            seen = indicators.counts_in_snapshot(worker, None, None, snapshot=snapshot)
        with engine.connect() as other:
            now = survey_counts.current_between(other, None, None)
    for frames in (seen, now):
        assert all(f["members"].sum() > 0 for f in frames)
    assert [f["members"].sum() for f in seen] == [f["members"].sum() for f in before]
    assert now[0]["members"].sum() > before[0]["members"].sum()
    engine.dispose()
