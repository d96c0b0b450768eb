"""Answers that several forms ask the same way: when and where, who collected, a child's age and a child's work;
and :class:`Rows`, what a parser makes of one submission.

Each reader returns typed values or raises :class:`~warehouse.clean.values.Problem` naming the field as it appears in
the submission (``prefix`` is the repeat or group the answers sit in, e.g. ``"child/"``). Pure: no database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from connectors.forms import definition
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.clean.review_states import ReviewPolicy, load_review_policy
from warehouse.clean.values import Problem, choice, choices, get_path, group, iso_date, number, required, yes_no
from warehouse.infra.versioned import REFERENCE_DIR, checked, read_versioned
from warehouse.schema.admin_units import AdminUnits, Commune, load_admin_units

PLAUSIBILITY_FILE = REFERENCE_DIR / "plausibility.toml"


@dataclass(frozen=True)
class Plausibility:
    """The plausibility rules (``warehouse/reference/plausibility.toml``): the window of an event's date."""

    version: str
    earliest_event: date  # no event of the programme before it
    future_tolerance: timedelta  # how far after its submission day an event's date may be
    surveyed_ages: tuple[int, int]  # a surveyed child's or young worker's age, first and last
    case_visit_ages: tuple[int, int]  # the age a case visit may give


@lru_cache(maxsize=4)
def load_plausibility(path: Path = PLAUSIBILITY_FILE) -> Plausibility:
    """The plausibility rules of ``path``; ``ValueError`` naming what is wrong in the file."""
    data = read_versioned(path)
    with checked(path):
        window, ages = data["event_date"], data["ages"]
        rules = Plausibility(str(data["version"]), window["earliest"],
                             timedelta(days=window["days_after_submission"]),
                             _age_range(ages["surveyed"]), _age_range(ages["case_visit"]))
        if not isinstance(rules.earliest_event, date) or rules.future_tolerance.days < 0:
            raise ValueError("event_date.earliest must be a date (YYYY-MM-DD) and days_after_submission not negative")
    return rules


def _age_range(pair: list) -> tuple[int, int]:
    first, last = pair
    if not (isinstance(first, int) and isinstance(last, int) and 0 <= first <= last):
        raise ValueError("an age range is [first, last], whole years, first <= last")
    return first, last


@dataclass(frozen=True)
class Context:
    """What a parser needs besides the submission: the pseudonym key, the official units, the form's choices, the
    plausibility rules, the review-state policy."""

    pseudonymizer: Pseudonymizer
    units: AdminUnits
    choices: dict[str, frozenset[str]]
    plausibility: Plausibility = field(default_factory=load_plausibility)
    review: ReviewPolicy = field(default_factory=load_review_policy)

    @classmethod
    def of_form(cls, pseudonymizer: Pseudonymizer, form_id: str) -> Context:
        """The context of ``forms/<form_id>.xlsx``: the official units and that form's choice lists."""
        return cls(pseudonymizer, load_admin_units(), definition(form_id).codes)


def quarantine_entry(problem: Problem, entity: str, repeat_index: int | None = None) -> dict:
    """A quarantine row (without its raw-submission stamp) for ``problem`` found in ``entity``."""
    value = None if problem.value is None else str(problem.value)[:256]
    return {"entity": entity, "repeat_index": repeat_index, "field": problem.field, "value": value,
            "reason_code": problem.code, "reason": problem.reason}


def unreadable(error: Exception) -> Problem:
    """The problem of a submission whose shape no check foresaw (or ``error`` itself when a reader found it): it is
    quarantined, never a stuck batch."""
    if isinstance(error, Problem):
        return error
    return Problem("", None, "UNREADABLE",
                   f"the submission could not be read ({type(error).__name__}: {str(error)[:200]})")


@dataclass
class Rows:
    """What one submission becomes: rows per warehouse table name, and quarantine entries."""

    tables: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    quarantine: list[dict] = field(default_factory=list)

    def add(self, table: str, row: dict) -> None:
        self.tables[table].append(row)

    def reject(self, problem: Problem, entity: str, repeat_index: int | None = None) -> None:
        self.quarantine.append(quarantine_entry(problem, entity, repeat_index))


def event_date(raw: Any, field: str, rules: Plausibility | None = None) -> date:
    """The required date ``field`` of the submission, within the plausibility rules' window: not before the
    programme, not after the day it was submitted."""
    rules = rules or load_plausibility()
    day = required(field, iso_date(field, get_path(raw.payload, field)))
    if day < rules.earliest_event:
        raise Problem(field, day, "DATE_BEFORE_PROGRAMME",
                      f"the {field.replace('_', ' ')} is before the programme began ({rules.earliest_event})")
    submitted = raw.submitted_at
    latest = iso_date("submitted_at", submitted[:10] if isinstance(submitted, str) else submitted) or date.today()
    if day > latest + rules.future_tolerance:
        raise Problem(field, day, "DATE_IN_FUTURE", f"the {field.replace('_', ' ')} is after the submission")
    return day


def not_after(field: str, day: date | None, limit: date, what: str) -> date | None:
    """``day`` unless it is after ``limit`` (the date of the event it belongs to)."""
    if day is not None and day > limit:
        raise Problem(field, day, "DATE_AFTER_EVENT", f"{day} is after the {what} ({limit})")
    return day


def period(day: date) -> dict:
    return {"year": day.year, "quarter": (day.month - 1) // 3 + 1}


def location(payload: dict, units: AdminUnits, on: date) -> Commune:
    """The commune of ``location/province`` and ``location/commune`` on day ``on`` (the event's date), of the
    official list or of the pre-July-2025 one (:meth:`~warehouse.schema.admin_units.AdminUnits.commune_of`)."""
    answers = group(payload, "location")
    province = required("location/province", answers.get("province"))
    commune_code = required("location/commune", answers.get("commune"))
    commune = units.commune_of(str(province), str(commune_code), on)
    if commune is not None:
        return commune
    if str(commune_code) in units.communes or str(commune_code) in units.legacy_communes:
        raise Problem("location/commune", commune_code, "COMMUNE_NOT_IN_PROVINCE",
                      f"commune {commune_code} is not in province {province}")
    raise Problem("location/commune", commune_code, "UNKNOWN_COMMUNE",
                  f"not a commune code of the official list {units.code_list_version} nor of the pre-July-2025 one")


def staff_id(pseudonymizer: Pseudonymizer, role: str, name: Any) -> str | None:
    """A pseudonymous id for a staff member (enumerator, inspector, case worker) from the name typed."""
    if not isinstance(name, str) or not (name := name.strip()):
        return None
    return pseudonymizer.recurring_id(role, name.casefold())


def geopoint(value: Any) -> tuple[float | None, ...]:
    """GeoJSON ``{"coordinates": [lon, lat, alt], "properties": {"accuracy"}}`` or ODK's ``"lat lon alt acc"``
    (the ``location/gps`` answer of every form); no answer is no point, any other value a ``WRONG_TYPE`` problem
    that never quotes it."""
    if value is None or value == "":
        return None, None, None, None
    if isinstance(value, dict):
        coords = list(value.get("coordinates") or []) + [None, None, None]
        accuracy = (value.get("properties") or {}).get("accuracy")
        return coords[1], coords[0], coords[2], accuracy
    try:
        parts = [float(p) for p in value.split()] + [None, None, None, None]
    except (AttributeError, ValueError):
        raise Problem("location/gps", None, "WRONG_TYPE",
                      'expected a GPS point: GeoJSON or "latitude longitude altitude accuracy"') from None
    return parts[0], parts[1], parts[2], parts[3]


def age_on(answers: dict, prefix: str, on: date, rules: Plausibility | None = None) -> tuple[int, str, date | None]:
    """(age, "dob" or "stated", date of birth): as ``dob_known`` says, completed years on ``on`` from ``dob``, or
    the stated age; within the plausibility rules' surveyed ages or a Problem. A date of birth with ``dob_known`` no (an answer the form does not ask) is
    a contradiction, never used."""
    known = required(f"{prefix}dob_known", yes_no(f"{prefix}dob_known", answers.get("dob_known")))
    dob = iso_date(f"{prefix}dob", answers.get("dob"))
    if known:
        age, source = completed_years(required(f"{prefix}dob", dob), on), "dob"
    elif dob is not None:
        raise Problem(f"{prefix}dob", dob, "DOB_NOT_KNOWN",
                      "a date of birth is given although dob_known is no: which of the two is right?")
    else:
        field = f"{prefix}age_stated"
        age, source = required(field, number(field, answers.get("age_stated", answers.get("age")), 0, 120,
                                           integer=True)), "stated"
    first, last = (rules or load_plausibility()).surveyed_ages
    if not first <= age <= last:
        raise Problem(f"{prefix}age", age, "AGE_OUT_OF_RANGE", f"age {age} is outside {first}–{last}")
    return age, source, dob


def completed_years(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def work_answers(answers: dict, prefix: str, c: dict[str, frozenset[str]], *, always_working: bool = False) -> dict:
    """The ``WorkAnswers`` columns of one child's answers (``econ_activity``, ``temp_absent`` and the ``work`` group).

    With ``always_working`` (a young worker found at an inspection) there is no ``econ_activity`` question and the
    ``work`` group is always asked; otherwise ``econ_activity`` and ``temp_absent`` are returned too.
    """
    names = _work_fields(prefix)
    if always_working:
        status = {"working": True}
    else:
        econ = required(names.econ_activity, yes_no(names.econ_activity, answers.get("econ_activity")))
        temp_absent = bool(yes_no(names.temp_absent, answers.get("temp_absent")))
        status = {"econ_activity": econ, "temp_absent": temp_absent, "working": econ or temp_absent}
        if not status["working"]:  # the work group is not asked: no answers from it
            status.update(_NOT_WORKING)
            return status
    work = answers.get("work") or {}
    hours_day = number(names.hours_day, work.get("hours_day"), 0, 24)
    hours_week = number(names.hours_week, work.get("hours_week"), 0, 112)
    if hours_day is not None and hours_week is not None and hours_day > hours_week:
        raise Problem(names.hours_day, hours_day, "HOURS_DAY_EXCEEDS_WEEK",
                      f"{hours_day:g} hours in a day but {hours_week:g} in the week")
    return {
        **status,
        "work_kinds": joined(choices(names.work_kind, work.get("work_kind"), c["work_kind"])),
        "workplaces": joined(choices(names.workplace, work.get("workplace"), c["workplace"])),
        "sector": choice(names.sector, work.get("sector"), c["sector"]),
        "hours_day": hours_day,
        "hours_week": hours_week,
        "night_work": yes_no(names.night_work, work.get("night_work")),
        "overtime": yes_no(names.overtime, work.get("overtime")),
        "hazards": joined(choices(names.hazards, work.get("hazards"), c["hazard"])),
        "performance_approved": yes_no(names.performance_approved, work.get("performance_approved")),
    }


_NOT_WORKING = {"work_kinds": None, "workplaces": None, "sector": None, "hours_day": None, "hours_week": None,
                "night_work": None, "overtime": None, "hazards": None, "performance_approved": None}
"""The work columns of a child not working: what :func:`work_answers` reads from an empty work group."""


@dataclass(frozen=True)
class _WorkFields:
    """The names :func:`work_answers` reports its answers under, for one ``prefix``."""

    econ_activity: str
    temp_absent: str
    hours_day: str
    hours_week: str
    work_kind: str
    workplace: str
    sector: str
    night_work: str
    overtime: str
    hazards: str
    performance_approved: str


@lru_cache(maxsize=64)
def _work_fields(prefix: str) -> _WorkFields:
    w = f"{prefix}work/"
    return _WorkFields(f"{prefix}econ_activity", f"{prefix}temp_absent", *(
        f"{w}{name}" for name in ("hours_day", "hours_week", "work_kind", "workplace", "sector", "night_work",
                                  "overtime", "hazards", "performance_approved")))


def joined(values: frozenset[str]) -> str | None:
    """Codes as one sorted, space-separated string (``None`` when there are none)."""
    return " ".join(sorted(values)) or None


def codes(value: str | None) -> frozenset[str]:
    """The codes of a space-separated string."""
    return frozenset(value.split()) if value else frozenset()
