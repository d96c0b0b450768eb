"""The case register: one case per child the pipeline identified, and its current state from the follow-up visits.

Two steps, so that the lineage has no cycle (cases → published case list → visits → state):

- :func:`identify_cases` keeps the register's membership and identification columns. A household-survey child or
  an inspected young worker classified (``vn_law``) as child labour is a ``child_labourer`` case, otherwise at risk
  an ``at_risk`` case. ``case_id`` is a UUID derived from the subject's pseudonymous id (the same case on every
  run, no personal data in it): the name-based (version 5) UUID, which the warehouse has always used; ODK Central
  takes only version 4 UUIDs as entity ids, so the case list publishes the same UUID with version digit 4
  (:func:`entity_id`), and a visit carrying that form is matched to its case (:func:`case_id_from_entity`);
  ``case_code`` a short code from a keyed hash, lengthened only when it would
  collide, and never changed once given. A case whose subject is gone (submission deleted, child re-classified)
  is removed when it has no visit; with visits it is kept, as last identified, so that no follow-up is lost.
  The case a report opened of its own goes, visits or not, once the report joins another case (a person decided
  "same"): its visits and services move to the case joined (:func:`update_case_register`).
  A case report screened ``open_case`` (:mod:`warehouse.cases.case_report`) is a subject too, of the reported
  category, identified on its identification date, unless :mod:`warehouse.cases.case_matching` finds the child's case
  already there: the report then joins it (``case_report_match``). The same child seen by a survey and an
  inspection is still two subjects, hence two cases (a report is matched to cases, never a case to another).
- :func:`update_case_register` folds each case's visits into its state (status, first support, visits, last
  visit, closure, education and work at the last visit) and quarantines visits whose ``case_id`` matches no
  case (``UNKNOWN_CASE``); those are looked at again on every run, as a visit may arrive before its case.
  It walks each case through the workflow (``reference/case_workflow.toml``): from ``initial_state`` on its
  identification date, each visit's ``case_state`` in visit order is a move, kept in ``case_state_history``
  when the workflow allows it, else quarantined (``INVALID_TRANSITION``: the case keeps its state, the visit
  still counts as a visit); the case's ``state``, ``urgent_at_report`` (a report of it said emergency: the limits
  counted from the report), ``urgent`` (its latest assessment found a high risk, before any as reported: the
  follow-up limit) and ``due_on`` (:meth:`~warehouse.cases.case_workflow.Workflow.next_due`) follow.

Both recompute from the whole current state and write only what differs (a re-run writes nothing): they read the
identified subjects and the visits, a few columns each, set-based, which stays cheap next to the cleaning steps.
"""

from __future__ import annotations

import base64
import uuid
from collections import defaultdict

from sqlalchemy import Connection, Engine, bindparam, delete, insert, literal, or_, select, update

from warehouse.cases import case_matching
from warehouse.cases.case_workflow import Workflow, load_workflow
from warehouse.classify.classification import VN_LAW
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.clean.steps import StepStats
from warehouse.schema.models import (
    Case,
    CaseReport,
    CaseReportMatch,
    CaseService,
    CaseStateHistory,
    CaseVisit,
    Child,
    ChildClassification,
    Household,
    Inspection,
    Quarantine,
    RawSubmission,
    RestrictedCaseMatchCandidate,
    YoungWorker,
    YoungWorkerClassification,
)

CASE_NAMESPACE = uuid.UUID("5d1f4c0e-8a7b-5c3d-9e2f-2b6a7c1d0e4f")  # of the case ids; never change it
CODE_PREFIX, CODE_LENGTH = "C-", 5
CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHJKMNPQRSTVWXYZ")
UNKNOWN_CASE = "UNKNOWN_CASE"
INVALID_TRANSITION = "INVALID_TRANSITION"
IDENTIFICATION = ("subject_kind", "subject_id", "identified_source", "identified_on", "year", "quarter",
                  "province_code", "commune_code", "code_list_version", "sex", "age_band", "case_type")
STATE = ("status", "first_support_on", "visits", "last_visit_on", "closed_on", "closure_reason",
         "in_education_at_last_visit", "child_labour_at_last_visit", "state", "urgent", "urgent_at_report", "due_on",
         "second_visit_on", "child_labour_at_second_visit")
NO_VISITS = {"status": "open", "first_support_on": None, "visits": 0, "last_visit_on": None, "closed_on": None,
             "closure_reason": None, "in_education_at_last_visit": None, "child_labour_at_last_visit": None,
             "state": load_workflow().initial_state, "urgent": False, "urgent_at_report": False, "due_on": None,
             "second_visit_on": None, "child_labour_at_second_visit": None}


def case_id_of(subject_id: str) -> str:
    """The case id of a subject: a name-based UUID of its pseudonymous id."""
    return str(uuid.uuid5(CASE_NAMESPACE, subject_id))


def entity_id(case_id: str) -> str:
    """The case's id on the platforms (Central's entity id, cases.csv's ``name``): the case id as a version 4
    UUID, the only kind Central accepts; the same bits but the version digit."""
    return _with_version(case_id, 4)


def case_id_from_entity(value: str) -> str:
    """The warehouse's case id of an id a follow-up carries: the entity id (version 4) or, from a case list
    written before, the case id itself (version 5)."""
    return _with_version(value, 5)


def _with_version(value: str, version: int) -> str:
    """``value`` (a UUID, in any of the forms ``uuid.UUID`` reads) in canonical form, with ``version``."""
    return str(uuid.UUID(int=uuid.UUID(value).int & ~(0xF << 76) | version << 76))


def case_code(pseudonymizer: Pseudonymizer, case_id: str, length: int = CODE_LENGTH) -> str:
    """``C-`` and ``length`` Crockford base-32 characters (no I, L, O, U) of a keyed hash of the case id."""
    digest = bytes.fromhex(pseudonymizer.id("case_code", case_id))
    return CODE_PREFIX + base64.b32encode(digest).decode().translate(CROCKFORD)[:length]


def identify_cases(engine: Engine, pseudonymizer: Pseudonymizer) -> StepStats:
    """Add a case for every newly identified subject, follow changes of its identification, remove cases whose
    subject is gone and that have no visit."""
    stats = StepStats()
    with engine.begin() as conn:
        existing = {r.case_id: r for r in conn.execute(select(Case.case_id, Case.case_code,
                                                              *(getattr(Case, c) for c in IDENTIFICATION)))}
        by_subject = {r.subject_id: case_id for case_id, r in existing.items()}  # after a new key (warehouse.ops.rekey)

        def case_of(subject_id: str) -> str:
            return by_subject.get(subject_id) or case_id_of(subject_id)

        found = _subjects(conn)
        matches = case_matching.match_reports(conn, pseudonymizer, found, case_of)
        subjects = {case_of(s["subject_id"]): s for s in found + matches.subjects}
        visited = set(conn.execute(select(CaseVisit.case_id).distinct()).scalars())
        joined = _joined_elsewhere(matches.links, case_of)
        gone = [case_id for case_id in existing if case_id not in subjects
                and (case_id not in visited or case_id in joined)]
        changed = [{"b_case_id": case_id, **subject} for case_id, subject in subjects.items()
                   if case_id in existing and _identification(existing[case_id]) != subject]
        codes = {r.case_code for r in existing.values()}
        new = []
        for case_id in sorted(subjects.keys() - existing.keys()):
            code = _free_code(pseudonymizer, case_id, codes)
            codes.add(code)
            new.append({"case_id": case_id, "case_code": code, **subjects[case_id], **NO_VISITS})
        if gone:
            conn.execute(delete(Case).where(Case.case_id.in_(gone)))
        if changed:
            conn.execute(_update_by_id(), changed)
        if new:
            conn.execute(insert(Case), new)
        stats.loaded["report_links"] = _replace_all(conn, CaseReportMatch, matches.links)
        stats.loaded["match_candidates"] = _replace_all(conn, RestrictedCaseMatchCandidate, matches.candidates)
    stats.processed = len(subjects)
    stats.loaded.update(new=len(new), changed=len(changed))
    stats.deleted = len(gone)
    return stats


def update_case_register(engine: Engine, workflow: Workflow | None = None) -> StepStats:
    """Fold the visits into each case's state and history, quarantine the visits that match no case and the
    moves the workflow does not allow."""
    workflow = workflow or load_workflow()
    stats = StepStats()
    with engine.begin() as conn:
        cases = {r.case_id: r for r in conn.execute(select(Case.case_id, Case.identified_on,
                                                           *(getattr(Case, c) for c in STATE)))}
        moved = _move_visits_of_joined_reports(conn, set(cases))
        link, report = CaseReportMatch, CaseReport
        reported_urgent = set(conn.execute(select(link.case_id).join(report, report.report_id == link.report_id)
                                           .where(report.urgency.in_(workflow.urgent_reports))).scalars())
        states, history, invalid = _fold(conn, workflow, {k: r.identified_on for k, r in cases.items()},
                                         reported_urgent)
        changed = [{"b_case_id": case_id, **states[case_id]} for case_id, r in cases.items()
                   if {c: getattr(r, c) for c in STATE} != states[case_id]]
        if changed:
            conn.execute(_update_by_id(), changed)
        rewritten = _write_history(conn, history)
        added, removed = _quarantine_unknown(conn, set(cases))
        refused, allowed_again = _sync_quarantine(conn, INVALID_TRANSITION, "case_state", invalid,
                                                  "the workflow does not allow this move: the case keeps its state")
    stats.processed = len(cases)
    stats.loaded.update(changed=len(changed), history_rewritten=rewritten, visits_moved=moved)
    stats.quarantined.update(unknown_case=added, matched_again=removed, invalid_transition=refused,
                             transition_allowed_again=allowed_again)
    return stats


def open_cases(engine: Engine) -> list:
    """The cases not closed, as collectors see them in the case list: id, source, identification date, type,
    age band, sex, commune."""
    with engine.connect() as conn:
        return conn.execute(
            select(Case.case_id, Case.identified_source, Case.identified_on, Case.case_type, Case.age_band, Case.sex,
                   Case.commune_code)
            .where(Case.status != "closed").order_by(Case.case_id)
        ).all()


def _subjects(conn: Connection) -> list[dict]:
    """Every household-survey child and inspected young worker that is a case now, with its identification."""
    cc, c, h = ChildClassification, Child, Household
    yc, yw, i = YoungWorkerClassification, YoungWorker, Inspection
    children = (select(literal("child").label("subject_kind"), c.child_id.label("subject_id"),
                       literal("household_survey").label("identified_source"), h.interview_date, h.year, h.quarter,
                       h.province_code, h.commune_code, h.code_list_version, c.sex, cc.age_band, cc.child_labour)
                .join(c, c.child_id == cc.child_id).join(h, h.household_id == c.household_id)
                .where(cc.rule_set == VN_LAW, or_(cc.child_labour, cc.at_risk)))
    workers = (select(literal("young_worker"), yw.worker_id, literal("inspection"), i.inspection_date, i.year,
                      i.quarter, i.province_code, i.commune_code, i.code_list_version, yw.sex, yc.age_band,
                      yc.child_labour)
               .join(yw, yw.worker_id == yc.worker_id).join(i, i.inspection_id == yw.inspection_id)
               .where(yc.rule_set == VN_LAW, or_(yc.child_labour, yc.at_risk)))
    subjects = []
    for query in (children, workers):
        for r in conn.execute(query):
            kind, subject_id, source, on, year, quarter, province, commune, version, sex, band, labour = r
            subjects.append({
                "subject_kind": kind, "subject_id": subject_id, "identified_source": source, "identified_on": on,
                "year": year, "quarter": quarter, "province_code": province, "commune_code": commune,
                "code_list_version": version, "sex": sex, "age_band": band,
                "case_type": "child_labourer" if labour else "at_risk",
            })
    return subjects


def _replace_all(conn: Connection, model: type, rows: list[dict]) -> int:
    """Make ``model``'s rows exactly ``rows`` (written only when they differ); returns how many changed."""
    columns = [c.name for c in model.__table__.columns]
    current = {tuple(getattr(r, c) for c in columns) for r in conn.execute(select(model.__table__))}
    wanted = {tuple(row[c] for c in columns) for row in rows}
    if current != wanted:
        conn.execute(delete(model))
        if rows:
            conn.execute(insert(model), rows)
    return len(current ^ wanted)


def _update_by_id():
    """An UPDATE of ``case_register`` for executemany: each parameter set names its row as ``b_case_id``."""
    table = Case.__table__
    return update(table).where(table.c.case_id == bindparam("b_case_id"))


def _identification(row) -> dict:
    return {c: getattr(row, c) for c in IDENTIFICATION}


def _free_code(pseudonymizer: Pseudonymizer, case_id: str, taken: set[str]) -> str:
    length = CODE_LENGTH
    while (code := case_code(pseudonymizer, case_id, length)) in taken:
        length += 1
    return code


def _fold(conn: Connection, workflow: Workflow, identified: dict, reported_urgent: set[str]
          ) -> tuple[dict, dict, dict]:
    """Each case's state (``STATE``), its history rows, and the visits whose move the workflow refuses
    (``raw_submission_id`` → the row to quarantine, ``value`` the move). The latest visit (by visit date, then
    arrival) decides the situation at the last visit; the latest allowed move decides state, status and closure;
    the first support is the earliest date given or received, else the first visit that recorded a support; the
    case is urgent when its latest risk assessment is high or, before any, a report of it was urgent
    (``reported_urgent``)."""
    v, raw = CaseVisit, RawSubmission
    by_case: dict[str, list] = defaultdict(list)
    for visit in conn.execute(
        select(v.case_id, v.visit_id, v.visit_date, v.case_state, v.case_status, v.closure_reason, v.supports, v.first_support_date,
               v.school_status, v.vocational_training, v.child_labour, v.risk_level, v.next_visit,
               v.raw_submission_id, v.change_seq, raw.form_id, raw.instance_id)
        .join(raw, raw.id == v.raw_submission_id).order_by(v.case_id, v.visit_date, v.change_seq)
    ):
        by_case[visit.case_id].append(visit)
    received: dict[str, list] = defaultdict(list)
    for case_id, day in conn.execute(select(CaseService.case_id, CaseService.received_date)
                                     .where(CaseService.received_date.is_not(None))):
        received[case_id].append(day)
    states, history, invalid = {}, {}, {}
    for case_id, identified_on in identified.items():
        visits = by_case.get(case_id, [])
        state, closing, status = workflow.initial_state, None, NO_VISITS["status"]
        rows = [(None, state, identified_on, None)]
        for x in visits:
            if workflow.allows(state, x.case_state):
                rows.append((state, x.case_state, x.visit_date, x.visit_id))
                state, closing = x.case_state, (x if x.case_state == "closed" else None)
                status = x.case_status
            else:
                invalid[x.raw_submission_id] = {**x._mapping, "value": f"{state} → {x.case_state}"}
        history[case_id] = [{"case_id": case_id, "step": n, "from_state": a, "to_state": b, "changed_on": on,
                             "visit_id": visit_id, "workflow_version": workflow.version}
                            for n, (a, b, on, visit_id) in enumerate(rows)]
        given = [x.first_support_date for x in visits if x.first_support_date] + received.get(case_id, [])
        supported = [x.visit_date for x in visits if x.supports and x.supports != "none"]
        first_support = min(given) if given else min(supported, default=None)
        assessed = [x.risk_level for x in visits if x.risk_level]
        at_report = case_id in reported_urgent
        urgent = assessed[-1] == "high" if assessed else at_report
        last = visits[-1] if visits else None
        states[case_id] = {
            **NO_VISITS,
            "state": state,
            "urgent": urgent,
            "urgent_at_report": at_report,
            "due_on": workflow.next_due(state, identified_on, None, None, first_support, urgent, at_report),
        } if last is None else {
            "status": status,
            "first_support_on": first_support,
            "visits": len(visits),
            "last_visit_on": last.visit_date,
            "closed_on": closing.visit_date if closing else None,
            "closure_reason": closing.closure_reason if closing else None,
            "in_education_at_last_visit": last.school_status == "attending" or bool(last.vocational_training),
            "child_labour_at_last_visit": last.child_labour,
            "state": state,
            "urgent": urgent,
            "urgent_at_report": at_report,
            "due_on": workflow.next_due(state, identified_on, last.visit_date, last.next_visit, first_support, urgent,
                                        at_report),
            "second_visit_on": visits[1].visit_date if len(visits) > 1 else None,
            "child_labour_at_second_visit": visits[1].child_labour if len(visits) > 1 else None,
        }
    return states, history, invalid


def _write_history(conn: Connection, history: dict[str, list[dict]]) -> int:
    """Make ``case_state_history`` exactly ``history``, rewriting only the cases whose rows differ; how many."""
    h = CaseStateHistory
    columns = ("case_id", "step", "from_state", "to_state", "changed_on", "visit_id", "workflow_version")
    stored: dict[str, list[dict]] = defaultdict(list)
    for r in conn.execute(select(*(getattr(h, c) for c in columns)).order_by(h.case_id, h.step)):
        stored[r.case_id].append(dict(r._mapping))
    stale = sorted({*stored} - {*history} | {k for k, rows in history.items() if stored.get(k) != rows})
    for part in range(0, len(stale), 500):
        conn.execute(delete(h).where(h.case_id.in_(stale[part:part + 500])))
    fresh = [row for k in stale for row in history.get(k, [])]
    if fresh:
        conn.execute(insert(h), fresh)
    return len(stale)


def _joined_elsewhere(links: list[dict], case_of) -> dict[str, str]:
    """The cases reports opened of their own that now join another case (a person decided "same", or a case
    identified earlier now matches): own case → the case joined."""
    return {case_of(link["report_id"]): link["case_id"] for link in links
            if link["case_id"] != case_of(link["report_id"])}


def _move_visits_of_joined_reports(conn: Connection, cases: set[str]) -> int:
    """Visits and services recorded against the case a report opened of its own, before the report joined another
    case, move to that case (:func:`identify_cases` removed the report's own); returns how many visits moved. Run
    at every update, so that a visit cleaned again (carrying the old id from the phone) moves again."""
    links = [dict(r._mapping) for r in conn.execute(select(CaseReportMatch.report_id, CaseReportMatch.case_id))]
    moves = {own: to for own, to in _joined_elsewhere(links, case_id_of).items() if own not in cases and to in cases}
    moved = 0
    for own, to in sorted(moves.items()):
        moved += conn.execute(update(CaseVisit).where(CaseVisit.case_id == own).values(case_id=to)).rowcount
        conn.execute(update(CaseService).where(CaseService.case_id == own).values(case_id=to))
    return moved


def _quarantine_unknown(conn: Connection, cases: set[str]) -> tuple[int, int]:
    """Make the ``UNKNOWN_CASE`` quarantine rows exactly the visits whose case is not in ``cases``; returns how
    many were added and removed."""
    v = CaseVisit
    unknown = {r.raw_submission_id: {**r._mapping, "value": r.case_id} for r in conn.execute(
        select(v.raw_submission_id, v.change_seq, v.case_id, RawSubmission.form_id, RawSubmission.instance_id)
        .join(RawSubmission, RawSubmission.id == v.raw_submission_id)) if r.case_id not in cases}
    return _sync_quarantine(conn, UNKNOWN_CASE, "case_id", unknown,
                            "no case in the register has this id (yet): the visit counts once its case exists")


def _sync_quarantine(conn: Connection, code: str, field: str, wanted: dict[int, dict], reason: str) -> tuple[int, int]:
    """Make the quarantine rows of reason ``code`` exactly ``wanted`` (raw submission id → ``change_seq``,
    ``form_id``, ``instance_id``, ``value``); returns how many were added and removed."""
    q = Quarantine
    held = {r.raw_submission_id: r for r in conn.execute(
        select(q.id, q.raw_submission_id, q.change_seq, q.value).where(q.reason_code == code))}
    stale = [r.id for raw_id, r in held.items() if raw_id not in wanted
             or (r.change_seq, r.value) != (wanted[raw_id]["change_seq"], wanted[raw_id]["value"])]
    fresh = [(raw_id, r) for raw_id, r in wanted.items() if raw_id not in held or held[raw_id].id in stale]
    if stale:
        conn.execute(delete(q).where(q.id.in_(stale)))
    if fresh:
        conn.execute(insert(q), [{
            "raw_submission_id": raw_id, "change_seq": r["change_seq"], "form_id": r["form_id"],
            "instance_id": r["instance_id"], "entity": "case_visit", "repeat_index": None, "field": field,
            "value": r["value"], "reason_code": code, "reason": reason,
        } for raw_id, r in fresh])
    return len(fresh), len(stale)
