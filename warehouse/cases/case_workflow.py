"""The case workflow of ``reference/case_workflow.toml``: states, allowed moves, time limits, closure reasons.

Pure: no database. The case register validates each case's moves with :meth:`Workflow.allows`, the case list and
the commune register say what is due with :meth:`Workflow.next_due`, indicator 1.2 counts "in time" with
:meth:`Workflow.due_on`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np

from warehouse.infra.versioned import REFERENCE_DIR, checked, read_versioned

WORKFLOW_FILE = REFERENCE_DIR / "case_workflow.toml"
URGENCIES = ("urgent", "normal")
UNITS = ("hours", "days", "working_days")
STEPS = ("assessed", "plan", "first_support", "follow_up")
ORIGINS = ("report", "last_visit")


@dataclass(frozen=True)
class Limit:
    """A step's time limit: counted from the report or the latest visit, per urgency as (amount, unit)."""

    origin: str
    by_urgency: dict[str, tuple[int, str]]

    def due(self, start: date, urgent: bool, holidays: tuple[date, ...] = ()) -> date:
        amount, unit = self.by_urgency["urgent" if urgent else "normal"]
        if unit == "hours":  # dates carry no time: met on the same day or the next
            return start + timedelta(days=math.ceil(amount / 24))
        if unit == "working_days":
            return np.busday_offset(np.datetime64(start, "D"), amount, roll="forward",
                                    holidays=list(holidays)).astype(date)
        return start + timedelta(days=amount)


@dataclass(frozen=True)
class Workflow:
    version: str
    states: tuple[str, ...]
    initial_state: str
    transitions: dict[str, frozenset[str]]
    limits: dict[str, Limit]
    closure_reasons: dict[str, bool]  # code → whether the child left child labour (an outcome)
    status_as_state: dict[str, str]
    urgent_reports: frozenset[str]  # report urgencies that make a case urgent until a risk assessment is made
    public_holidays: tuple[date, ...]  # not working days

    def allows(self, before: str, after: str) -> bool:
        return after in self.transitions.get(before, frozenset())

    def due_on(self, step: str, start: date, urgent: bool = False) -> date:
        """The last day step ``step`` is in time when its clock starts on ``start``."""
        return self.limits[step].due(start, urgent, self.public_holidays)

    def next_due(self, state: str, reported_on: date, last_visit_on: date | None, next_visit: date | None,
                 first_support_on: date | None, urgent: bool = False, urgent_at_report: bool = False
                 ) -> date | None:
        """The date by which the case's next step is due in state ``state``: the assessment, then the plan, then
        the first support, then the next visit (at the latest the follow-up limit; the officer's date when
        earlier), each counted from where its limit says (the report, or the latest visit), with the urgency known
        there (``urgent_at_report``, or ``urgent`` now); none once closed."""
        if state == "closed":
            return None
        step = {"reported": "assessed", "screened": "assessed", "assessed": "plan"}.get(state)
        if step is None:
            step = "first_support" if first_support_on is None else "follow_up"
        if self.limits[step].origin == "report":
            latest = self.due_on(step, reported_on, urgent_at_report)
        else:
            latest = self.due_on(step, last_visit_on or reported_on, urgent)
        return min(next_visit, latest) if next_visit and step == "follow_up" else latest


@lru_cache(maxsize=4)
def load_workflow(path: Path = WORKFLOW_FILE) -> Workflow:
    """The workflow of ``path`` (default: the packaged file), checked whole, read once per process."""
    doc = read_versioned(path)
    with checked(path):
        return _workflow(doc)


def _workflow(doc: dict) -> Workflow:
    states = tuple(doc["states"])
    transitions = {s: frozenset(doc["transitions"].get(s, ())) for s in states}
    problems = [f"transitions from unknown state {s!r}" for s in doc["transitions"] if s not in states]
    problems += [f"transition {s} → {t!r}: unknown state" for s, ts in transitions.items() for t in ts
                 if t not in states]
    if doc["initial_state"] not in states:
        problems.append(f"initial_state {doc['initial_state']!r} is not a state")
    limits = {}
    for step in STEPS:
        spec = doc["due"].get(step)
        if spec is None or spec.get("from") not in ORIGINS:
            problems.append(f"due.{step}: missing, or `from` not one of {ORIGINS}")
            continue
        by_urgency = {u: (int(spec[f"{u}_{unit}"]), unit) for u in URGENCIES for unit in UNITS
                      if f"{u}_{unit}" in spec}
        if set(by_urgency) != set(URGENCIES) or len(spec) != 1 + len(URGENCIES):
            problems.append(f"due.{step}: one limit for each of {URGENCIES}, in {UNITS}")
        limits[step] = Limit(spec["from"], by_urgency)
    status_as_state = dict(doc["status_as_state"])
    problems += [f"status_as_state.{k}: {v!r} is not a state" for k, v in status_as_state.items() if v not in states]
    if problems:
        raise ValueError("; ".join(problems))
    reasons = {code: bool(r["outcome"]) for code, r in doc["closure_reasons"].items()}
    return Workflow(doc["version"], states, doc["initial_state"], transitions, limits, reasons, status_as_state,
                    frozenset(doc["urgent_reports"]), tuple(doc["public_holidays"]))
