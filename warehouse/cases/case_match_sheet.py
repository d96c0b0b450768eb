"""Decisions on possible matches, from sheets a person drops into ``<reference uploads>/case_matches/``.

Columns: ``report_code`` (R-…, of ``case_report``), ``case_code`` (C-…, of ``case_register``), ``decision``
(``same``: the reported child is that case's child; ``different``: not), ``decided_by`` (the name: only its keyed
hash is kept) and ``decided_on`` (``2026-11-25``). The candidates to decide are in
``restricted_case_match_candidate``. A sheet is a record of decisions: each row is kept, the latest decision on a
(report, case) pair winning; a sheet with any wrong row is refused whole, every problem listed with its row number
(never a name).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Connection, insert, select, update

from warehouse.cases.case_matching import DIFFERENT, SAME
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.infra.messages import text
from warehouse.reference.reference_data import ReferenceDataError, read_table
from warehouse.schema.models import Case, CaseReport, RestrictedCaseMatchDecision

KIND = "case_matches"  # the uploads sub-folder
COLUMNS = ("report_code", "case_code", "decision", "decided_by", "decided_on")


def read_sheet(conn: Connection, path: Path, today: date) -> list[dict]:
    """The decisions of a sheet, checked: a known report and case, ``same`` or ``different``, a name, a day not
    after ``today``."""
    reports = dict(conn.execute(select(CaseReport.report_code, CaseReport.report_id)).all())
    cases = dict(conn.execute(select(Case.case_code, Case.case_id)).all())
    problems, rows = [], []
    for number, row in enumerate(read_table(path, COLUMNS).to_dict("records"), start=2):
        found = []
        if row["report_code"] not in reports:
            found.append(text("case_match.no_report", code=row["report_code"]))
        if row["case_code"] not in cases:
            found.append(text("case_match.no_case", code=row["case_code"]))
        if row["decision"] not in (SAME, DIFFERENT):
            found.append(text("case_match.bad_decision"))
        if not row["decided_by"]:
            found.append(text("case_match.no_name"))
        try:
            day = date.fromisoformat(row["decided_on"][:10])
            if day > today:
                found.append(text("case_match.future_day", day=day.isoformat()))
        except ValueError:
            found.append(text("case_match.bad_day"))
        if found:
            problems += [f"{text('reference.row', number=number)}: {p}" for p in found]
            continue
        rows.append({"report_id": reports[row["report_code"]], "case_id": cases[row["case_code"]],
                     "decision": row["decision"], "decided_on": day, "decided_by": row["decided_by"]})
    if problems:
        raise ReferenceDataError(text("case_match.nothing_recorded", file=path.name) + "; ".join(problems),
                                 tuple(f"{path.name}: {p}" for p in problems))
    return rows


def record_sheets(conn: Connection, paths: list[Path], pseudonyms: Pseudonymizer, today: date) -> int:
    """Record the decisions of every sheet (all checked first: one wrong, none recorded); returns how many
    decisions were new or changed."""
    problems, rows = [], []
    for path in paths:
        try:
            rows += read_sheet(conn, path, today)
        except ReferenceDataError as error:
            problems += error.problems
    if problems:
        raise ReferenceDataError("\n".join(problems), tuple(problems))
    d = RestrictedCaseMatchDecision
    current = {(r.report_id, r.case_id): r for r in conn.execute(select(d.__table__))}
    changed = 0
    for row in sorted(rows, key=lambda r: r["decided_on"]):
        key = (row["report_id"], row["case_id"])
        values = {"decision": row["decision"], "decided_on": row["decided_on"],
                  "decided_by_id": pseudonyms.recurring_id("case_match_decider", row["decided_by"].casefold())}
        held = current.get(key)
        if held is None:
            conn.execute(insert(d).values(report_id=key[0], case_id=key[1], **values))
        elif held.decided_on > row["decided_on"] or {k: getattr(held, k) for k in values} == values:
            continue
        else:
            conn.execute(update(d).where(d.report_id == key[0], d.case_id == key[1]).values(**values))
        current[key] = d(report_id=key[0], case_id=key[1], **values)
        changed += 1
    return changed
