"""Count changes are recorded once the indicators have published, and never lost around that moment.

A first load writes no ``survey_count_delta`` rows (the indicators' first run counts everything itself); a load
after the first publication records them. A step that began before the publication and meets it in a
transaction stops without writing that transaction, and its next run records the rest. On PostgreSQL the
indicators' snapshot waits for the transactions moving a checkpoint.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from connectors.demo import demo_communes, household_row
from connectors.odk_central import record_from_odata_row
from warehouse import indicators, prefetch, raw_store, steps, survey_counts
from warehouse.admin_units import forms_dir, load_admin_units
from warehouse.classification import load_rules
from warehouse.db import make_engine, upgrade
from warehouse.form_choices import load_choices
from warehouse.household import FORM_ID, Context
from warehouse.models import Household, PipelineCheckpoint, RawSubmission, SurveyCountDelta
from warehouse.pseudonym import Pseudonymizer

SEED = 5


@pytest.fixture
def warehouse(warehouse_url, monkeypatch):
    monkeypatch.setattr(prefetch, "WORKERS", 0)  # batches prepared in line, where the test can step in
    engine = make_engine(warehouse_url)
    upgrade(engine)
    ctx = Context(Pseudonymizer("count-recording-test-key"), load_admin_units(),
                  load_choices(forms_dir() / f"{FORM_ID}.xlsx"))
    communes = demo_communes(forms_dir() / "media" / "communes.csv")

    def store(first: int, last: int) -> None:
        rows = [household_row(communes, n, SEED) for n in range(first, last)]
        raw_store.store_records(engine, [record_from_odata_row(r, "1", FORM_ID) for r in rows])

    yield engine, ctx, store
    engine.dispose()


def counted_households(engine) -> tuple[int, int]:
    """(households the recorded changes count, consenting households stored)."""
    d, h = SurveyCountDelta, Household
    with engine.connect() as conn:
        recorded = conn.execute(select(func.coalesce(func.sum(d.members), 0))
                                .where(d.kind == survey_counts.HOUSEHOLD)).scalar()
        stored = conn.execute(select(func.count()).select_from(h).where(h.consent)).scalar()
    return recorded, stored


def publish(engine) -> None:
    with engine.begin() as conn:
        steps.write_checkpoint(conn, survey_counts.PUBLISHING_STEP, "published", 0)


def test_a_first_load_records_no_changes_and_a_load_after_publishing_does(warehouse):
    engine, ctx, store = warehouse
    rules = load_rules()
    store(0, 40)
    steps.clean_households(engine, ctx, rules)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SurveyCountDelta)).scalar() == 0
        loaded = conn.execute(select(func.max(RawSubmission.change_seq))).scalar()
    assert counted_households(engine)[1] > 0

    first = indicators.refresh(engine, indicators.load_settings(), rules.version)
    assert first.full
    store(40, 60)
    steps.clean_households(engine, ctx, rules)
    recorded, stored = counted_households(engine)
    h = Household
    with engine.connect() as conn:
        later = conn.execute(select(func.count()).select_from(h).where(h.consent, h.change_seq > loaded)).scalar()
    assert 0 < later == recorded < stored
    update = indicators.refresh(engine, indicators.load_settings(), rules.version)
    assert not update.full and update.survey_changes > 0


def test_a_step_that_did_not_count_stops_when_the_indicators_publish_meanwhile(warehouse, monkeypatch):
    engine, ctx, store = warehouse
    store(0, 30)
    monkeypatch.setattr(steps, "COMMIT_ROWS", 1)  # each batch its own transaction
    prepared = []
    prepare = steps._prepare_households

    def publishing_before_the_second_batch(*args, **kwargs):
        prepared.append(args[1:3])
        if len(prepared) == 2:
            publish(engine)  # committed by another connection, between two of the step's transactions
        return prepare(*args, **kwargs)

    monkeypatch.setattr(steps, "_prepare_households", publishing_before_the_second_batch)
    with pytest.raises(RuntimeError, match="published while this step ran"):
        steps.clean_households(engine, ctx, load_rules(), batch_size=10)
    (_, first_end), _second = prepared
    h = Household
    with engine.connect() as conn:
        assert conn.execute(select(func.max(h.change_seq))).scalar() <= first_end  # the second batch: not written
        assert conn.execute(select(func.count()).select_from(SurveyCountDelta)).scalar() == 0

    monkeypatch.setattr(steps, "_prepare_households", prepare)
    steps.clean_households(engine, ctx, load_rules(), batch_size=10)
    recorded, stored = counted_households(engine)
    with engine.connect() as conn:
        later = conn.execute(select(func.count()).select_from(h).where(h.consent, h.change_seq > first_end)).scalar()
    assert 0 < later == recorded < stored  # every household after the first batch, counted once


@pytest.mark.postgres
def test_the_indicators_snapshot_waits_for_a_step_moving_its_checkpoint(postgres_server):
    """A step's transaction that moved its checkpoint holds the indicators' snapshot back until it commits: what
    it wrote without counting is then in the snapshot."""
    engine = make_engine(postgres_server.create_database("clms_count_recording_lock"))
    upgrade(engine)
    seen, started = [], threading.Event()

    def refresh_snapshot():
        started.set()
        with indicators._snapshot(engine) as conn:
            seen.append(conn.execute(select(func.count()).select_from(PipelineCheckpoint)
                                     .where(PipelineCheckpoint.step == "held_step")).scalar())

    with engine.connect() as step, step.begin():
        steps.write_checkpoint(step, "held_step", "v", 1)
        reader = threading.Thread(target=refresh_snapshot)
        reader.start()
        started.wait()
        reader.join(timeout=1.0)
        assert reader.is_alive() and not seen  # waiting for the step's transaction
    reader.join(timeout=30)
    assert seen == [1]
    engine.dispose()
