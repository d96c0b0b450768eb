"""The indicator step updates only what changed, and ends exactly where recomputing everything ends.

Demo households through the real steps (store, clean, classify, indicators) on SQLite and PostgreSQL, then
edits that move households between communes and years, change answers, withdraw consent, delete and add: the
updated cells and sums must equal a full recomputation, and a change in one commune must rewrite only that
commune's cells and those of the larger areas containing it in the periods touched.
"""

from __future__ import annotations

import copy
import shutil

import pytest
from sqlalchemy import func, select

from connectors.demo import demo_communes, household_row
from connectors.odk_central import record_from_odata_row
from warehouse import indicators, prefetch, raw_store, steps, survey_counts
from warehouse import reference_data as ref
from warehouse.admin_units import forms_dir, load_admin_units
from warehouse.classification import load_rules
from warehouse.clean_links import orphans
from warehouse.db import make_engine, upgrade
from warehouse.form_choices import load_choices
from warehouse.household import FORM_ID, Context
from warehouse.indicators import _parts
from warehouse.models import AreaCommune, IndicatorValue, SurveyCellSum, SurveyCountDelta, Target
from warehouse.pseudonym import Pseudonymizer

SEED = 11
HOUSEHOLDS = 400


def runner(engine):
    """The steps from raw rows to indicators on ``engine``: ``run(rows, full=...)``."""
    settings, rules = indicators.load_settings(), load_rules()
    ctx = Context(Pseudonymizer("incremental-indicators-test-key"), load_admin_units(),
                  load_choices(forms_dir() / f"{FORM_ID}.xlsx"))

    def run(rows: list[dict], *, full: bool = False) -> indicators.Refreshed:
        raw_store.store_records(engine, [record_from_odata_row(r, "1", FORM_ID) for r in rows])
        steps.clean_households(engine, ctx, rules)
        steps.classify_children(engine, rules)
        return indicators.refresh(engine, settings, rules.version, full=full)

    return run


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def started(request, tmp_path_factory):
    """A warehouse with the targets and the first demo households through every step, on each backend, built
    once for the module: its URL, the PostgreSQL server or None, and what the first indicator run did."""
    if request.param == "sqlite":
        url, server = f"sqlite:///{tmp_path_factory.mktemp('started') / 'warehouse.sqlite'}", None
    else:
        server = request.getfixturevalue("postgres_server")
        url = server.create_database("clms_incremental_started")
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
    communes = demo_communes(forms_dir() / "media" / "communes.csv")
    first = runner(engine)([household_row(communes, n, SEED) for n in range(HOUSEHOLDS)])
    engine.dispose()
    return url, server, first


@pytest.fixture
def pipeline(started, tmp_path):
    """A copy of the started warehouse for one test: its engine, ``run`` and the first run's result."""
    url, server, first = started
    if server is None:
        shutil.copy(url.removeprefix("sqlite:///"), tmp_path / "warehouse.sqlite")
        copy = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    else:
        copy = server.create_database(f"clms_incremental_{tmp_path.name}", template=url.rsplit("/", 1)[1])
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


def test_updates_equal_a_full_recomputation(pipeline):
    engine, run, first = pipeline
    communes = demo_communes(forms_dir() / "media" / "communes.csv")
    rows = [household_row(communes, n, SEED) for n in range(HOUSEHOLDS)]

    assert first.full and first.survey_cells > 0 and first.survey_changes == 0

    later = edited(rows, communes) + [household_row(communes, n, SEED) for n in range(HOUSEHOLDS, HOUSEHOLDS + 40)]
    update = run(later)
    assert not update.full and update.survey_changes > 0
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SurveyCountDelta)).scalar() == 0
        assert not any(orphans(conn).values())  # children removed and households deleted took their rows along
    updated = table(engine, IndicatorValue), table(engine, SurveyCellSum)

    again = run([])
    assert not again.full and again.survey_changes == 0 and again.survey_cells == 0
    assert (table(engine, IndicatorValue), table(engine, SurveyCellSum)) == updated

    recomputed = run([], full=True)
    assert recomputed.full
    assert table(engine, SurveyCellSum) == updated[1]
    assert table(engine, IndicatorValue) == updated[0]
    statuses = {row.status for row in engine.connect().execute(select(IndicatorValue.status)).all()}
    assert {"met", "off_track"} & statuses, "the targets' statuses are part of what is compared"
    dimensions = set(engine.connect().execute(select(IndicatorValue.dimension).distinct()).scalars())
    assert {"work_sector", "craft_village"} <= dimensions  # the demo's households give them


def test_a_change_in_one_commune_rewrites_only_its_areas(pipeline):
    engine, run, first = pipeline
    communes = demo_communes(forms_dir() / "media" / "communes.csv")
    assert first.full
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(IndicatorValue)
                             .where(IndicatorValue.source == "household_survey")).scalar()

    new = household_row(communes, HOUSEHOLDS + 1, SEED)
    commune = new["location"]["commune"]
    update = run([new])
    assert not update.full and 0 < update.survey_cells < total / 4
    with engine.connect() as conn:
        containing = set(conn.execute(select(AreaCommune.area_code).where(AreaCommune.commune_code == commune))
                         .scalars())
        assert {commune, new["location"]["province"], "VN"} <= containing
        year, month = int(new["interview_date"][:4]), int(new["interview_date"][5:7])
        periods = {str(year), f"{year}-H{(month - 1) // 6 + 1}", f"{year}-Q{(month - 1) // 3 + 1}",
                   *(f"{year + 1}{q}" for q in ("", "-H1", "-H2", "-Q1", "-Q2", "-Q3", "-Q4"))}
        iv = IndicatorValue
        larger = conn.execute(select(func.count()).where(
            iv.source == "household_survey", iv.area_code.in_(containing - {commune}), iv.period.in_(periods))).scalar()
        own = conn.execute(select(func.count()).where(iv.source == "household_survey", iv.area_code == commune)).scalar()
        assert update.survey_cells == larger + own  # the commune's own cells are recomputed whole, all its periods


def test_new_targets_recompute_everything(pipeline):
    engine, run, first = pipeline
    assert first.full
    assert not run([]).full
    with engine.begin() as conn:
        conn.execute(Target.__table__.update().where(Target.indicator_id == "1.1").values(value=Target.value / 2))
    assert run([]).full


@pytest.mark.parametrize("workers", [0, 1])
def test_the_communes_made_in_parts_equal_them_made_at_once(pipeline, monkeypatch, workers):
    """A full computation makes the communes' cells by parts of their counts, in a worker process when there
    are many: small parts (in line, or in a worker) give exactly the cells of one part holding everything."""
    engine, run, first = pipeline
    assert first.full
    whole = table(engine, IndicatorValue), table(engine, SurveyCellSum)
    monkeypatch.setattr(indicators, "PART_ROWS", 40)
    monkeypatch.setattr(prefetch, "WORKERS", workers)
    made = []
    monkeypatch.setattr(indicators, "_parts", lambda *frames: made.extend(parts := _parts(*frames)) or parts)
    assert run([], full=True).full
    assert len(made) >= prefetch.PARALLEL_FROM and len({p[0]["commune_code"].iloc[0] for p in made}) == len(made)
    assert (table(engine, IndicatorValue), table(engine, SurveyCellSum)) == whole


@pytest.mark.postgres
def test_the_workers_half_of_the_counts_reads_the_refreshing_transactions_snapshot(postgres_server):
    """On PostgreSQL the worker's half of a full count imports the snapshot of the refreshing transaction: a
    household committed meanwhile is not in it, as it is not in what the refreshing transaction reads."""
    engine = make_engine(postgres_server.create_database("clms_counts_snapshot"))
    upgrade(engine)
    ctx = Context(Pseudonymizer("snapshot-test-key"), load_admin_units(), load_choices(forms_dir() / f"{FORM_ID}.xlsx"))
    communes = demo_communes(forms_dir() / "media" / "communes.csv")

    def add(rows):
        raw_store.store_records(engine, [record_from_odata_row(r, "1", FORM_ID) for r in rows])
        steps.clean_households(engine, ctx, load_rules())

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
