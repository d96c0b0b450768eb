"""Which case a screened report is about: the same child seen by a survey and reported by a school is one case.

Reports that opened a case (``screening_outcome`` ``open_case``) are taken in the order they were identified and
compared with every case's child: household-survey children and inspected young workers that are cases, and the
children of the reports before. A child is compared on a keyed hash of the name written one way (:func:`name_key`:
case, accents, ``đ`` and spaces ignored), the birth year (exact from a date of birth; from a stated age, one of
two years) and the commune; names never leave the restricted tables, and the hash needs the pseudonym key.

- Exactly one case with the same name, birth year (both from a date of birth) and commune: the report joins it
  (``exact``).
- Several such cases, or the same name and commune with a birth year that is uncertain or one year apart, or the
  same name and birth year in another commune: candidates for a person to decide
  (``restricted_case_match_candidate``); meanwhile the report opens a case of its own (``undecided``), so that no
  child waits for the decision.
- Nothing: the report opens a case (``new``).

A person's decision (``restricted_case_match_decision``, from the sheets of :mod:`warehouse.cases.case_match_sheet`)
comes first: ``same`` makes the report join that case (``decided``), ``different`` takes the case out of its
candidates.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, select

from warehouse.clean.answers import period
from warehouse.clean.pseudonym import Pseudonymizer, normalised
from warehouse.schema.models import (
    CaseReport,
    Child,
    Household,
    Inspection,
    RestrictedCaseMatchDecision,
    RestrictedCaseReportPii,
    RestrictedChildPii,
    RestrictedYoungWorkerPii,
    YoungWorker,
)

EXACT, SEVERAL_EXACT, BIRTH_YEAR_UNCERTAIN, OTHER_COMMUNE = (
    "exact", "several_exact", "birth_year_uncertain", "other_commune")
STRENGTH = (EXACT, BIRTH_YEAR_UNCERTAIN, OTHER_COMMUNE)  # a case's best match among its children wins
NEW, DECIDED, UNDECIDED = "new", "decided", "undecided"
SAME, DIFFERENT = "same", "different"


@dataclass(frozen=True)
class Person:
    """A child as matching sees it: the case it is, a keyed hash of its name, its possible birth years."""

    case_id: str
    name: str
    years: frozenset[int]
    exact: bool  # the year comes from a date of birth
    commune: str


@dataclass
class Matches:
    """What matching gives: the reports that open a case of their own (as case-register subjects), each matched
    report's case and how (``case_report_match`` rows), and the candidates kept for a person to decide."""

    subjects: list[dict]
    links: list[dict]
    candidates: list[dict]


def name_key(pseudonymizer: Pseudonymizer, name: str) -> str:
    """A keyed hash of ``name`` written one way: ``NGUYỄN  thị mai`` and ``Nguyen Thi Mai`` give the same."""
    text = unicodedata.normalize("NFD", normalised(name).replace("đ", "d").replace("Đ", "D"))
    return pseudonymizer.id("match_name", "".join(c for c in text if unicodedata.category(c) != "Mn").casefold())


def person(pseudonymizer: Pseudonymizer, case_id: str, name: str, dob: date | None, age: int, on: date,
           commune: str) -> Person:
    """A child of ``age`` on day ``on`` (born in one of two years) or born on ``dob``."""
    years = frozenset({dob.year}) if dob else frozenset({on.year - age - 1, on.year - age})
    return Person(case_id, name_key(pseudonymizer, name), years, dob is not None, commune)


def compare(report: Person, other: Person) -> str | None:
    """How ``other`` matches the reported child: ``exact``, ``birth_year_uncertain``, ``other_commune`` or not."""
    if report.name != other.name:
        return None
    here = report.commune == other.commune
    if report.exact and other.exact:
        if report.years == other.years:
            return EXACT if here else OTHER_COMMUNE
        near = any(abs(a - b) <= 1 for a in report.years for b in other.years)
    else:
        near = bool(report.years & other.years)
    if not near:
        return None
    return BIRTH_YEAR_UNCERTAIN if here else OTHER_COMMUNE


def match(report: Person, pool: Iterable[Person], decided: dict[str, str]) -> tuple[str | None, str, dict[str, str]]:
    """(the case the report joins or None, how, candidates {case id: reason}) against ``pool``, with the
    decisions on this report ``decided`` {case id: same | different}."""
    cases = {p.case_id for p in pool}
    same = sorted(c for c, d in decided.items() if d == SAME and c in cases)
    if same:
        return same[0], DECIDED, {}
    found: dict[str, str] = {}
    for other in pool:
        reason = compare(report, other)
        if reason and decided.get(other.case_id) != DIFFERENT and (
                other.case_id not in found or STRENGTH.index(reason) < STRENGTH.index(found[other.case_id])):
            found[other.case_id] = reason
    exact = sorted(c for c, r in found.items() if r == EXACT)
    if len(exact) == 1:
        return exact[0], EXACT, {}
    candidates = {c: SEVERAL_EXACT for c in exact} if exact else found
    return None, (UNDECIDED if candidates else NEW), candidates


def match_reports(conn: Connection, pseudonymizer: Pseudonymizer, subjects: list[dict],
                  case_of: Callable[[str], str]) -> Matches:
    """Match every report that opened a case against the cases of ``subjects`` (survey children and young workers,
    :func:`case_register.identify_cases`) and the reports before it; ``case_of`` gives a subject's case."""
    pool = _subject_people(conn, pseudonymizer, {s["subject_id"] for s in subjects}, case_of)
    decisions: dict[str, dict[str, str]] = {}
    for d in conn.execute(select(RestrictedCaseMatchDecision.__table__)):
        decisions.setdefault(d.report_id, {})[d.case_id] = d.decision
    r, pii = CaseReport, RestrictedCaseReportPii
    reports = conn.execute(
        select(r, pii.child_name, pii.dob).join(pii, pii.report_id == r.report_id)
        .where(r.screening_outcome == "open_case").order_by(r.identification_date, r.report_date, r.report_id)).all()
    result = Matches([], [], [])
    for report in reports:
        own = case_of(report.report_id)
        reported = person(pseudonymizer, own, report.child_name, report.dob, report.age, report.report_date,
                          report.commune_code)
        case_id, how, candidates = match(reported, pool, decisions.get(report.report_id, {}))
        if case_id is None:
            case_id = own
            result.subjects.append(_subject(report))
        result.links.append({"report_id": report.report_id, "case_id": case_id, "matched": how})
        result.candidates += [{"report_id": report.report_id, "case_id": c, "reason": reason}
                              for c, reason in sorted(candidates.items())]
        pool.append(Person(case_id, reported.name, reported.years, reported.exact, reported.commune))
    return result


def _subject(report) -> dict:
    """A report that opens its own case, as a case-register subject."""
    return {
        "subject_kind": "report", "subject_id": report.report_id, "identified_source": report.reporter_type,
        "identified_on": report.identification_date, **period(report.identification_date),
        "province_code": report.province_code, "commune_code": report.commune_code,
        "code_list_version": report.code_list_version, "sex": report.sex, "age_band": report.age_band,
        "case_type": report.case_type,
    }


def _subject_people(conn: Connection, pseudonymizer: Pseudonymizer, ids: set[str],
                    case_of: Callable[[str], str]) -> list[Person]:
    """The children and young workers among ``ids`` whose name is known."""
    c, cp, h = Child, RestrictedChildPii, Household
    yw, wp, i = YoungWorker, RestrictedYoungWorkerPii, Inspection
    children = (select(c.child_id, cp.child_name, cp.dob, c.age, h.interview_date, h.commune_code)
                .join(cp, cp.child_id == c.child_id).join(h, h.household_id == c.household_id))
    workers = (select(yw.worker_id, wp.worker_name, wp.dob, yw.age, i.inspection_date, i.commune_code)
               .join(wp, wp.worker_id == yw.worker_id).join(i, i.inspection_id == yw.inspection_id))
    people = []
    for query, key in ((children, c.child_id), (workers, yw.worker_id)):
        wanted = sorted(ids)
        for start in range(0, len(wanted), 500):
            for subject_id, name, dob, age, on, commune in conn.execute(
                    query.where(key.in_(wanted[start:start + 500]))):
                if name and name.strip():
                    people.append(person(pseudonymizer, case_of(subject_id), name, dob, age, on, commune))
    return people
