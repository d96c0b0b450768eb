"""A large backlog is parsed, or classified, in worker processes while the step writes: the same warehouse as
doing it in line."""

import dataclasses

import pytest
from sqlalchemy import select

from connectors.demo import demo_communes, household_rows
from connectors.forms import FORMS_DIR, definition
from connectors.odk_central import record_from_odata_row
from warehouse.classify.classification import load_rules
from warehouse.classify.classify import classify_children
from warehouse.clean import prefetch, steps
from warehouse.clean.household import FORM_ID, Context
from warehouse.clean.prefetch import batch_ranges, prepared_batches
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.raw import raw_store
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.clean_links import orphans
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import Child, ChildClassification, Household, Quarantine, RawSubmission, RestrictedChildPii

HOUSEHOLDS, BATCH = 300, 20  # 15 batches: more than PARALLEL_FROM


def cleaned(url: str, batch_size: int, *, reclassified: bool = False) -> tuple[dict, steps.StepStats]:
    """The warehouse after cleaning and classifying; when ``reclassified``, the children are classified under
    another rules version first, and then every child again."""
    engine = make_engine(url)
    upgrade(engine)
    rows = household_rows(demo_communes(FORMS_DIR / "media" / "communes.csv"), HOUSEHOLDS, 5)
    raw_store.store_records(engine, [record_from_odata_row(r, "1", FORM_ID) for r in rows])
    ctx = Context(Pseudonymizer("parallel-steps-test-key"), load_admin_units(),
                  definition(FORM_ID).codes)
    rules = load_rules()
    stats = steps.clean_households(engine, ctx, batch_size=batch_size)
    if reclassified:
        classify_children(engine, dataclasses.replace(rules, version="another"), batch_size=batch_size)
    stats.merge(classify_children(engine, rules, batch_size=batch_size))
    tables = {}
    with engine.connect() as conn:
        for model in (Household, Child, RestrictedChildPii, Quarantine, ChildClassification):
            columns = [c for c in model.__table__.columns if c.name not in ("id", "change_seq", "raw_submission_id")]
            tables[model.__tablename__] = sorted(map(tuple, conn.execute(select(*columns)).all()), key=repr)
        assert not any(orphans(conn).values())  # the edits in the demo rows replaced households whole
    engine.dispose()
    return tables, stats


@pytest.mark.parametrize("reclassified", [False, True], ids=["classified", "reclassified"])
@pytest.mark.parametrize("workers", [1, 2])
def test_worker_processes_give_the_same_warehouse(warehouse_url, tmp_path, monkeypatch, workers, reclassified):
    used = []

    def spy(*args, **kwargs):
        used.append(kwargs["workers"])
        return prepared_batches(*args, **kwargs)

    monkeypatch.setattr(steps, "prepared_batches", spy)
    monkeypatch.setattr(prefetch, "WORKERS", workers)
    in_line, in_line_stats = cleaned(f"sqlite:///{tmp_path / 'in_line.sqlite'}", HOUSEHOLDS)  # one batch
    in_worker, in_worker_stats = cleaned(warehouse_url, BATCH, reclassified=reclassified)
    # clean, then classify (twice when reclassified): in line, then in workers
    assert used == [0, 0, workers, *[workers] * (2 if reclassified else 1)]
    assert in_line["quarantine"] and in_line["child"] and in_line["child_classification"]
    assert in_worker == in_line
    assert in_worker_stats.as_dict() == in_line_stats.as_dict()
    assert in_line_stats.loaded["child_classification"] == len(in_line["child_classification"])


def test_batch_ranges_cover_every_row_once(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'ranges.sqlite'}")
    upgrade(engine)
    rows = household_rows(demo_communes(FORMS_DIR / "media" / "communes.csv"), 45, 7)
    raw_store.store_records(engine, [record_from_odata_row(r, "1", FORM_ID) for r in rows])
    r = RawSubmission
    with engine.connect() as conn:
        seqs = conn.execute(select(r.change_seq).order_by(r.change_seq)).scalars().all()
        assert len(seqs) == 45
        for after, size in [(0, 10), (0, 15), (0, 45), (0, 100), (seqs[9], 10), (seqs[-1], 10)]:
            ranges = batch_ranges(conn, r.change_seq, r.form_id == FORM_ID, after, size)
            left = [s for s in seqs if s > after]
            batches = [[s for s in left if lo < s <= hi] for lo, hi in ranges]
            assert [s for b in batches for s in b] == left  # in order, each once
            assert all(len(b) == size for b in batches[:-1]) and all(0 < len(b) <= size for b in batches)
            assert ranges[0][0] == after if ranges else not left
        assert batch_ranges(conn, r.change_seq, r.form_id == "another_form", 0, 10) == []
    engine.dispose()
