"""Re-derive every pseudonymous id under a new key: ``python -m warehouse.ops.rekey [--url URL]``.

The former key comes from ``CLMS_PSEUDONYM_KEY_OLD``, the new one from ``CLMS_PSEUDONYM_KEY``, the warehouse from
``--url`` or ``CLMS_WAREHOUSE_URL``. The former key must be the one the warehouse records (its fingerprint). In one
transaction:

- each case's ``subject_id`` becomes its child's or young worker's id under the new key; the case keeps its
  ``case_id`` (it went to the phones and the visits carry it) and its ``case_code``, and the case register matches
  it by that subject from then on;
- the cleaning steps' checkpoints go back to the start: the next pipeline run re-derives every clean row and its
  ids (households, children, inspections, young workers, activities, case visits, staff, the restricted tables)
  from ``raw_submission``, which holds every submission as received, replacing the rows made with the former key,
  and correcting the survey counts as any re-cleaning does;
- the new key's fingerprint is recorded: from then on the former key is refused.

Not carried over: the case reports keep the ids and ``R-`` codes made with the former key (their cleaning is not
started again), since a report's code is given to people and written in their match-decision sheets, and a new
key would change it. A report edited after re-keying is cleaned under the new key, and so is a new subject.

Run it while no pipeline runs, then run the pipeline with the new key.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable

from sqlalchemy import Connection, Engine, bindparam, select, update

from warehouse.clean import household, inspection
from warehouse.clean.pseudonym import (
    FINGERPRINT_STEP,
    KEY_VARIABLE,
    KeyMismatch,
    Pseudonymizer,
    PseudonymKeyError,
    check_key,
)
from warehouse.clean.steps import CLEAN_STEP
from warehouse.infra.settings import Settings
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import Case, Child, Household, Inspection, PipelineCheckpoint, RawSubmission, YoungWorker

OLD_KEY_VARIABLE = f"{KEY_VARIABLE}_OLD"
RECLEANED = (CLEAN_STEP, "clean_inspection", "clean_activity", "clean_case_visit")  # the steps' checkpoints
#           (warehouse.clean.steps, warehouse.clean.programme_steps, warehouse.cases.case_cleaning) of every row
#           with an id derived from the key

Identity = tuple[str, str, int]  # a subject's submission (form, instance id) and its place in the repeat (from 1)


def _child_id(p: Pseudonymizer, form_id: str, instance_id: str, index: int) -> str:
    return household.child_id_of(p, form_id, household.household_id_of(p, form_id, instance_id), index)


def _worker_id(p: Pseudonymizer, form_id: str, instance_id: str, index: int) -> str:
    return inspection.young_worker_id_of(p, inspection.inspection_id_of(p, form_id, instance_id), index)


SUBJECTS: dict[str, tuple[str, Callable[[Pseudonymizer, str, str, int], str]]] = {
    household.FORM_ID: ("child", _child_id),  # a case's subject: its form, the repeat it is in, its id
    inspection.FORM_ID: ("young_worker", _worker_id),
}


def rekey(engine: Engine, old: Pseudonymizer, new: Pseudonymizer) -> int:
    """Move the warehouse from key ``old`` to key ``new`` (see the module's docstring); returns how many cases
    were carried over."""
    refused = KeyMismatch(f"{OLD_KEY_VARIABLE} is not the key this warehouse's pseudonymous ids were made with: "
                          "nothing was changed")
    try:
        check_key(engine, old)  # a warehouse without a fingerprint records the former key's
    except KeyMismatch:
        raise refused from None
    pc, case = PipelineCheckpoint, Case.__table__
    with engine.begin() as conn:
        moved = conn.execute(update(pc).where(pc.step == FINGERPRINT_STEP, pc.version == old.fingerprint())
                             .values(version=new.fingerprint()))
        if moved.rowcount != 1:  # another re-keying came first
            raise refused
        subjects = _new_subject_ids(conn, old, new)
        if subjects:
            conn.execute(update(case).where(case.c.subject_id == bindparam("b_old")).values(
                subject_id=bindparam("b_new")), [{"b_old": o, "b_new": n} for o, n in subjects.items()])
        conn.execute(update(pc).where(pc.step.in_(RECLEANED)).values(position=0))
    return len(subjects)


def _new_subject_ids(conn: Connection, old: Pseudonymizer, new: Pseudonymizer) -> dict[str, str]:
    """Each case subject's id under ``new``, by its id under ``old``: found through the clean tables, else in the
    raw submissions (a submission deleted or rejected since). A subject found in neither (a child an edit removed
    from its submission) gets a keyed hash of its former id: its case and visits stay, linked to nobody."""
    wanted = set(conn.execute(select(Case.subject_id)).scalars())
    found = _derive(_in_clean_tables(conn), wanted, old, new)
    if wanted - found.keys():
        found.update(_derive(_in_raw_submissions(conn), wanted - found.keys(), old, new))
    return {old_id: found.get(old_id) or new.id("case_subject", old_id) for old_id in wanted}


def _derive(identities: Iterable[Identity], wanted: set[str], old: Pseudonymizer,
            new: Pseudonymizer) -> dict[str, str]:
    derived = {}
    for form_id, instance_id, index in identities:
        subject_id = SUBJECTS[form_id][1]
        old_id = subject_id(old, form_id, instance_id, index)
        if old_id in wanted:
            derived[old_id] = subject_id(new, form_id, instance_id, index)
    return derived


def _in_clean_tables(conn: Connection) -> Iterable[Identity]:
    """The identities of the cases' children and young workers still in the clean tables."""
    r, c, h, w, i = RawSubmission, Child, Household, YoungWorker, Inspection
    children = (select(r.form_id, r.instance_id, c.repeat_index).join(h, h.raw_submission_id == r.id)
                .join(c, c.household_id == h.household_id).join(Case, Case.subject_id == c.child_id))
    workers = (select(r.form_id, r.instance_id, w.repeat_index).join(i, i.raw_submission_id == r.id)
               .join(w, w.inspection_id == i.inspection_id).join(Case, Case.subject_id == w.worker_id))
    for query in (children, workers):
        yield from conn.execute(query)


def _in_raw_submissions(conn: Connection) -> Iterable[Identity]:
    """Every repeat entry of the subjects' forms, as received."""
    r = RawSubmission
    for row in conn.execute(select(r.form_id, r.instance_id, r.payload).where(r.form_id.in_(SUBJECTS))):
        entries = (row.payload or {}).get(SUBJECTS[row.form_id][0])
        if isinstance(entries, list):
            yield from ((row.form_id, row.instance_id, index) for index in range(1, len(entries) + 1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m warehouse.ops.rekey", description=(
        f"Re-derive every pseudonymous id under a new key: the former key in {OLD_KEY_VARIABLE}, the new one in "
        f"{KEY_VARIABLE}. Cases keep their ids and visits; the next pipeline run rebuilds the clean tables."))
    parser.add_argument("--url", help="the warehouse (SQLAlchemy URL); default CLMS_WAREHOUSE_URL, else the "
                                      "embedded SQLite file")
    args = parser.parse_args(argv)
    old_key, new_key = os.environ.get(OLD_KEY_VARIABLE), os.environ.get(KEY_VARIABLE)
    if not old_key or not new_key:
        parser.error(f"set {OLD_KEY_VARIABLE} to the former key and {KEY_VARIABLE} to the new one")
    if old_key == new_key:
        parser.error(f"{OLD_KEY_VARIABLE} and {KEY_VARIABLE} are the same key: nothing to do")
    engine = make_engine(args.url or Settings.from_environment().warehouse_url)
    try:
        upgrade(engine)
        cases = rekey(engine, Pseudonymizer(old_key), Pseudonymizer(new_key))
    except PseudonymKeyError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"the warehouse now uses the new key: {cases} cases keep their ids; run the pipeline with the new key "
          "to re-derive the other ids")
    return 0


if __name__ == "__main__":
    sys.exit(main())
