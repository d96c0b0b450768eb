"""The household survey's data-quality checks, the ones survey teams run after every field day, with the
thresholds of ``warehouse/reference/data_quality.toml``.

:func:`find_flags` is pure: households, children and GPS points in, flags out. :func:`refresh` reads them from the
warehouse and replaces every flag and the restricted enumerator names in one transaction: the flags of a run are
those of the data then, and a re-run writes the same rows. A flag never changes the data. Exact GPS is read from
the restricted table and compared here; only the distance between two households is written.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, delete, insert, select

from connectors.forms import HOUSEHOLD_BACK_CHECK
from warehouse.clean.review_states import load_review_policy
from warehouse.indicators.stats import binomial_upper_tail
from warehouse.infra.versioned import REFERENCE_DIR, checked, read_versioned
from warehouse.schema.models import (
    Child,
    DataQualityFlag,
    Household,
    RawSubmission,
    RestrictedEnumerator,
    RestrictedHouseholdPii,
)

BACK_CHECK_FORM_ID = HOUSEHOLD_BACK_CHECK
CODE_LENGTH = 8  # a back-check names its household by the start of the original's instance id (forms/README.md)
THRESHOLDS_FILE = REFERENCE_DIR / "data_quality.toml"
EARTH_RADIUS_M = 6_371_000
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180
CHECKS = ("too_short", "too_many_a_day", "refusals", "no_work", "duplicate_household", "hh_size", "hours_day",
          "hours_week", "chores_hours_week", "age_grade", "back_check")
CHILD_LIMITS = {"hours_day": "max_hours_day", "hours_week": "max_hours_week",
                "chores_hours_week": "max_chores_hours_week"}


@dataclass(frozen=True)
class Thresholds:
    version: str
    min_minutes: float
    max_interviews: int
    min_count: int
    max_p: float
    max_metres: float
    min_children: int
    outliers: Mapping[str, float]
    max_differences: int
    hh_size_tolerance: int


def load_thresholds(path: Path = THRESHOLDS_FILE) -> Thresholds:
    doc = read_versioned(path)
    with checked(path):
        return Thresholds(version=str(doc["version"]), min_minutes=doc["duration"]["min_minutes"],
                          max_interviews=doc["per_day"]["max_interviews"], min_count=doc["shares"]["min_count"],
                          max_p=doc["shares"]["max_p"], max_metres=doc["duplicates"]["max_metres"],
                          min_children=doc["duplicates"]["min_children"], outliers=dict(doc["outliers"]),
                          max_differences=doc["back_check"]["max_differences"],
                          hh_size_tolerance=doc["back_check"]["hh_size_tolerance"])


@dataclass(frozen=True)
class HouseholdFacts:
    household_id: str
    enumerator_id: str | None
    interview_date: date
    province_code: str
    commune_code: str
    consent: bool
    hh_size: int | None
    interview_minutes: float | None
    n_children: int | None = None
    livelihood: str | None = None
    code: str | None = None  # the start of its submission's instance id, which a back-check names


@dataclass(frozen=True)
class BackCheck:
    """The answers of a back-check re-interview (forms/household_back_check.xlsx)."""

    code: str | None
    visited: str | None
    hh_size: int | None
    n_children: int | None
    livelihood: str | None


@dataclass(frozen=True)
class ChildFacts:
    child_id: str
    household_id: str
    sex: str
    age: int
    school_status: str | None
    grade: int | None
    econ_activity: bool
    hours_day: float | None
    hours_week: float | None
    chores_hours_week: float | None


@dataclass(frozen=True)
class Flag:
    check: str
    subject_id: str
    enumerator_id: str | None
    interview_date: date | None
    household_id: str | None
    province_code: str
    commune_code: str
    value: float | None
    threshold: float | None
    child_id: str | None = None
    other_household_id: str | None = None


def find_flags(households: list[HouseholdFacts], children: list[ChildFacts],
               points: Mapping[str, tuple[float, float]], t: Thresholds,
               back_checks: Iterable[BackCheck] = ()) -> list[Flag]:
    """Every flag of the household survey, sorted by check and subject."""
    by_id = {h.household_id: h for h in households}
    flags = [*_durations(households, t), *_per_day(households, t), *_shares(households, children, by_id, t),
             *_duplicates(households, children, points, t), *_outliers(households, children, by_id, t),
             *_back_checks(households, back_checks, t)]
    return sorted(flags, key=lambda f: (CHECKS.index(f.check), f.subject_id))


def _on_household(check: str, h: HouseholdFacts, value: float | None, threshold: float | None, **more) -> Flag:
    return Flag(check, more.pop("subject_id", h.household_id), h.enumerator_id, h.interview_date, h.household_id,
                h.province_code, h.commune_code, value, threshold, **more)


def _durations(households: list[HouseholdFacts], t: Thresholds) -> Iterable[Flag]:
    for h in households:
        if h.consent and h.interview_minutes is not None and h.interview_minutes < t.min_minutes:
            yield _on_household("too_short", h, h.interview_minutes, t.min_minutes)


def _per_day(households: list[HouseholdFacts], t: Thresholds) -> Iterable[Flag]:
    days = Counter((h.enumerator_id, h.interview_date) for h in households if h.enumerator_id is not None)
    for (enumerator, day), interviews in days.items():
        if interviews > t.max_interviews:
            yield Flag("too_many_a_day", f"{enumerator}|{day.isoformat()}", enumerator, day, None, "", "",
                       interviews, t.max_interviews)


def _shares(households: list[HouseholdFacts], children: list[ChildFacts], by_id: Mapping[str, HouseholdFacts],
            t: Thresholds) -> Iterable[Flag]:
    """An enumerator's share of refusals (households) and of children with no economic activity, against the
    others' share (one-sided binomial tail below ``max_p``, with ``min_count`` at least)."""
    refusals = _tallies((h.enumerator_id, not h.consent) for h in households)
    no_work = _tallies((by_id[c.household_id].enumerator_id, not c.econ_activity)
                       for c in children if c.household_id in by_id)
    for check, tallies in (("refusals", refusals), ("no_work", no_work)):
        total, hits = sum(n for n, _k in tallies.values()), sum(k for _n, k in tallies.values())
        for enumerator, (n, k) in tallies.items():
            if n < t.min_count or n == total:
                continue
            others = (hits - k) / (total - n)
            if k / n > others and binomial_upper_tail(k, n, others) < t.max_p:
                yield Flag(check, enumerator, enumerator, None, None, "", "", round(k / n, 4), round(others, 4))


def _tallies(pairs: Iterable[tuple[str | None, bool]]) -> dict[str, tuple[int, int]]:
    """(count, hits) per enumerator; rows without an enumerator are left out."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for enumerator, hit in pairs:
        if enumerator is not None:
            counts[enumerator][0] += 1
            counts[enumerator][1] += hit
    return {enumerator: (n, k) for enumerator, (n, k) in counts.items()}


def _duplicates(households: list[HouseholdFacts], children: list[ChildFacts],
                points: Mapping[str, tuple[float, float]], t: Thresholds) -> Iterable[Flag]:
    """Pairs of consented households with the same roster at most ``max_metres`` apart: the later one (by
    interview date, then id) is flagged, naming the other. Points are bucketed in cells of ``max_metres``."""
    rosters: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for c in children:
        rosters[c.household_id].append((c.sex, c.age))
    cell = t.max_metres / METRES_PER_DEGREE
    buckets: dict[tuple, list[tuple[HouseholdFacts, float, float]]] = defaultdict(list)
    for h in sorted(households, key=lambda h: (h.interview_date, h.household_id)):
        point, roster = points.get(h.household_id), rosters.get(h.household_id, [])
        if not h.consent or point is None or len(roster) < t.min_children:
            continue
        lat, lon = point
        signature = (h.hh_size, tuple(sorted(roster)))
        row, column = math.floor(lat / cell), math.floor(lon / cell)
        reach = math.ceil(1 / max(math.cos(math.radians(min(abs(lat) + cell, 89.0))), 1e-6))
        nearest = None
        for r in (row - 1, row, row + 1):
            for c in range(column - reach, column + reach + 1):
                for earlier, e_lat, e_lon in buckets.get((signature, r, c), ()):
                    metres = _metres(lat, lon, e_lat, e_lon)
                    if metres <= t.max_metres and (nearest is None or metres < nearest[1]):
                        nearest = (earlier, metres)
        if nearest is not None:
            yield _on_household("duplicate_household", h, round(nearest[1], 1), t.max_metres,
                                other_household_id=nearest[0].household_id)
        buckets[(signature, row, column)].append((h, lat, lon))


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def _outliers(households: list[HouseholdFacts], children: list[ChildFacts], by_id: Mapping[str, HouseholdFacts],
              t: Thresholds) -> Iterable[Flag]:
    limits = t.outliers
    for h in households:
        if h.hh_size is not None and h.hh_size > limits["max_hh_size"]:
            yield _on_household("hh_size", h, h.hh_size, limits["max_hh_size"])
    low, high = limits["min_age_minus_grade"], limits["max_age_minus_grade"]
    for c in children:
        h = by_id.get(c.household_id)
        if h is None:
            continue
        for check, limit in CHILD_LIMITS.items():
            value = getattr(c, check)
            if value is not None and value > limits[limit]:
                yield _on_household(check, h, value, limits[limit], subject_id=c.child_id, child_id=c.child_id)
        if c.school_status == "attending" and c.grade is not None and not low <= c.age - c.grade <= high:
            gap = c.age - c.grade
            yield _on_household("age_grade", h, gap, low if gap < low else high, subject_id=c.child_id,
                                child_id=c.child_id)


def _back_checks(households: list[HouseholdFacts], back_checks: Iterable[BackCheck], t: Thresholds) -> Iterable[Flag]:
    """A household whose back-check disagrees with its interview in more than ``max_differences`` answers (the
    household says nobody came, another size beyond ``hh_size_tolerance``, another number of children, another
    livelihood); the worst back-check of a household counts. A code naming no household, or two, is left out."""
    by_code: dict[str, list[HouseholdFacts]] = defaultdict(list)
    for h in households:
        if h.code is not None:
            by_code[h.code].append(h)
    worst: dict[str, int] = {}
    for b in back_checks:
        matched = by_code.get(b.code or "", [])
        if len(matched) != 1 or not matched[0].consent:
            continue
        h = matched[0]
        differences = sum((
            b.visited == "no",
            _differ(b.hh_size, h.hh_size, t.hh_size_tolerance),
            _differ(b.n_children, h.n_children, 0),
            b.livelihood is not None and h.livelihood is not None and b.livelihood != h.livelihood,
        ))
        worst[h.household_id] = max(differences, worst.get(h.household_id, 0))
    for h in households:
        if worst.get(h.household_id, 0) > t.max_differences:
            yield _on_household("back_check", h, worst[h.household_id], t.max_differences)


def _differ(checked: int | None, original: int | None, tolerance: int) -> bool:
    return checked is not None and original is not None and abs(checked - original) > tolerance


@dataclass(frozen=True)
class Survey:
    """What the checks read from the warehouse."""

    households: list[HouseholdFacts]
    children: list[ChildFacts]
    points: dict[str, tuple[float, float]]
    enumerators: dict[str, str]  # id → one name typed for it (restricted)
    back_checks: list[BackCheck]


def read_survey(engine: Engine) -> Survey:
    h, c, pii, raw = Household, Child, RestrictedHouseholdPii, RawSubmission
    with engine.connect() as conn:
        households = [HouseholdFacts(*row[:-1], code=_code(row[-1])) for row in conn.execute(select(
            h.household_id, h.enumerator_id, h.interview_date, h.province_code, h.commune_code, h.consent,
            h.hh_size, h.interview_minutes, h.n_children, h.livelihood, raw.instance_id)
            .join(raw, raw.id == h.raw_submission_id).order_by(h.household_id))]
        children = [ChildFacts(*row) for row in conn.execute(select(
            c.child_id, c.household_id, c.sex, c.age, c.school_status, c.grade, c.econ_activity, c.hours_day,
            c.hours_week, c.chores_hours_week).order_by(c.child_id))]
        points = {hid: (lat, lon) for hid, lat, lon in conn.execute(
            select(pii.household_id, pii.gps_lat, pii.gps_lon)
            .where(pii.gps_lat.is_not(None), pii.gps_lon.is_not(None)))}
        enumerators: dict[str, str] = {}
        for enumerator_id, name in conn.execute(
                select(h.enumerator_id, pii.enumerator).join(pii, pii.household_id == h.household_id)
                .where(h.enumerator_id.is_not(None), pii.enumerator.is_not(None))
                .order_by(h.enumerator_id, pii.enumerator)):
            enumerators.setdefault(enumerator_id, name.strip())
        back_checks = _read_back_checks(conn)
    return Survey(households, children, points, enumerators, back_checks)


def _code(instance_id: str) -> str:
    return instance_id.removeprefix("uuid:")[:CODE_LENGTH].lower()


def _read_back_checks(conn) -> list[BackCheck]:
    """The live back-check submissions the review policy counts, read from the raw store: the form has no
    clean table, and an answer of the wrong type is not compared."""
    policy = load_review_policy()
    raw = RawSubmission
    rows = conn.execute(select(raw.source, raw.review_state, raw.payload)
                        .where(raw.form_id == BACK_CHECK_FORM_ID, raw.deleted_at.is_(None)).order_by(raw.id))
    checks = []
    for row in rows:
        if policy.excluded(row) is not None or not isinstance(row.payload, dict):
            continue
        answers = row.payload
        code = answers.get("household_code")
        checks.append(BackCheck(code.strip().lower() if isinstance(code, str) else None,
                                _text(answers.get("visited")), _integer(answers.get("hh_size")),
                                _integer(answers.get("n_children")), _text(answers.get("livelihood"))))
    return checks


def _text(value) -> str | None:
    return value if isinstance(value, str) else None


def _integer(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def refresh(engine: Engine, thresholds: Thresholds) -> tuple[Survey, list[Flag]]:
    """Replace every data-quality flag and the restricted enumerator names; the survey read and the flags."""
    survey = read_survey(engine)
    flags = find_flags(survey.households, survey.children, survey.points, thresholds, survey.back_checks)
    with engine.begin() as conn:
        conn.execute(delete(DataQualityFlag))
        conn.execute(delete(RestrictedEnumerator))
        if flags:
            conn.execute(insert(DataQualityFlag), [{**asdict(f), "rules_version": thresholds.version} for f in flags])
        if survey.enumerators:
            conn.execute(insert(RestrictedEnumerator), [{"enumerator_id": k, "enumerator": v}
                                                        for k, v in sorted(survey.enumerators.items())])
    return survey, flags
