"""A large backlog is parsed (and classified) in a worker process while the step writes: the same warehouse as
doing it in line."""

from sqlalchemy import func, select

from connectors.demo import demo_communes, household_rows
from connectors.odk_central import record_from_odata_row
from warehouse import raw_store, steps
from warehouse.admin_units import forms_dir, load_admin_units
from warehouse.classification import load_rules
from warehouse.db import make_engine, upgrade
from warehouse.form_choices import load_choices
from warehouse.household import FORM_ID, Context
from warehouse.models import Child, ChildClassification, Household, Quarantine, RestrictedChildPii, SurveyCountDelta
from warehouse.prefetch import prepared_batches
from warehouse.pseudonym import Pseudonymizer

HOUSEHOLDS, BATCH = 300, 20  # 15 batches: more than PARALLEL_FROM


def cleaned(url: str, batch_size: int) -> tuple[dict, steps.StepStats]:
    engine = make_engine(url)
    upgrade(engine)
    rows = household_rows(demo_communes(forms_dir() / "media" / "communes.csv"), HOUSEHOLDS, 5)
    raw_store.store_records(engine, [record_from_odata_row(r, "1", FORM_ID) for r in rows])
    ctx = Context(Pseudonymizer("parallel-steps-test-key"), load_admin_units(), load_choices(forms_dir() / f"{FORM_ID}.xlsx"))
    stats = steps.clean_households(engine, ctx, batch_size=batch_size)
    stats.merge(steps.classify_children(engine, load_rules(), batch_size=batch_size))
    tables = {}
    with engine.connect() as conn:
        for model in (Household, Child, RestrictedChildPii, Quarantine, ChildClassification):
            columns = [c for c in model.__table__.columns if c.name not in ("id", "change_seq", "raw_submission_id")]
            tables[model.__tablename__] = sorted(map(tuple, conn.execute(select(*columns)).all()), key=repr)
        d = SurveyCountDelta  # summed: batches of another size group the same changes differently
        keys = [c for c in d.__table__.columns if c.name not in ("id", "members", "child_labour", "hazardous",
                                                                 "informed")]
        query = select(*keys, func.sum(d.members), func.sum(d.informed)).group_by(*keys)
        tables["deltas"] = sorted(map(tuple, conn.execute(query).all()), key=repr)
    engine.dispose()
    return tables, stats


def test_a_worker_process_gives_the_same_warehouse(warehouse_url, tmp_path, monkeypatch):
    parallel = []

    def spy(*args, **kwargs):
        parallel.append(kwargs["parallel"])
        return prepared_batches(*args, **kwargs)

    monkeypatch.setattr(steps, "prepared_batches", spy)
    in_line, in_line_stats = cleaned(f"sqlite:///{tmp_path / 'in_line.sqlite'}", HOUSEHOLDS)  # one batch
    in_worker, in_worker_stats = cleaned(warehouse_url, BATCH)
    assert parallel == [False, False, True, True]  # clean and classify, in line then in a worker
    assert in_worker_stats.as_dict() == in_line_stats.as_dict()
    assert in_line["quarantine"] and in_line["child"] and in_line["child_classification"]
    assert in_worker == in_line
