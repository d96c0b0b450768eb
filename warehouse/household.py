"""From one household-survey submission to typed, de-identified rows, or quarantine rows with reasons.

Pure: no database. A household with a bad location, date or consent is quarantined whole; a child with a
bad answer is quarantined alone and the rest of the household still loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from warehouse.admin_units import AdminUnits
from warehouse.pseudonym import Pseudonymizer
from warehouse.values import Problem, choice, choices, get_path, iso_date, number, required, yes_no

FORM_ID = "household_survey"
AGE_MIN, AGE_MAX = 5, 17
DATE_TOLERANCE = timedelta(days=1)  # phones in UTC+7 may be a day ahead of the server's UTC date


@dataclass(frozen=True)
class Context:
    pseudonymizer: Pseudonymizer
    units: AdminUnits
    choices: dict[str, frozenset[str]]


@dataclass
class Parsed:
    household: dict | None = None
    household_pii: dict | None = None
    children: list[dict] = field(default_factory=list)
    children_pii: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)

    def reject(self, problem: Problem, entity: str, repeat_index: int | None = None) -> None:
        value = None if problem.value is None else str(problem.value)[:256]
        self.quarantine.append(
            {"entity": entity, "repeat_index": repeat_index, "field": problem.field, "value": value,
             "reason_code": problem.code, "reason": problem.reason}
        )


def parse_household(raw: Any, ctx: Context) -> Parsed:
    """``raw`` is a ``raw_submission`` row (attributes ``payload``, ``instance_id``, ``submitted_at`` …)."""
    parsed = Parsed()
    payload = raw.payload
    household_id = ctx.pseudonymizer.id("household", raw.form_id, raw.instance_id)
    try:
        household = _household(raw, payload, household_id, ctx)
    except Problem as problem:
        parsed.reject(problem, "household")
        return parsed
    parsed.household = household
    parsed.household_pii = _household_pii(payload, household_id)
    for index, child in enumerate(payload.get("child") or [], start=1):
        try:
            if not household["consent"]:
                raise Problem("consent", "no", "NO_CONSENT", "child answers in a household that did not consent")
            row, pii = _child(child, index, household, ctx)
        except Problem as problem:
            parsed.reject(problem, "child", index)
            continue
        parsed.children.append(row)
        parsed.children_pii.append(pii)
    return parsed


def _household(raw: Any, payload: dict, household_id: str, ctx: Context) -> dict:
    interview = required("interview_date", iso_date("interview_date", payload.get("interview_date")))
    latest = iso_date("submitted_at", raw.submitted_at) or date.today()
    if interview > latest + DATE_TOLERANCE:
        raise Problem("interview_date", interview, "DATE_IN_FUTURE", "the interview date is after the submission")
    province = required("location/province", get_path(payload, "location/province"))
    commune_code = required("location/commune", get_path(payload, "location/commune"))
    commune = ctx.units.communes.get(str(commune_code))
    if commune is None:
        raise Problem("location/commune", commune_code, "UNKNOWN_COMMUNE",
                      f"not a commune code of the official list {ctx.units.code_list_version}")
    if commune.province_code != str(province):
        raise Problem("location/commune", commune_code, "COMMUNE_NOT_IN_PROVINCE",
                      f"commune {commune_code} is not in province {province}")
    consent = required("consent", yes_no("consent", payload.get("consent")))
    enumerator = payload.get("enumerator")
    row = {
        "household_id": household_id,
        "source": raw.source,
        "form_id": raw.form_id,
        "form_version": raw.form_version,
        "review_state": raw.review_state,
        "interview_date": interview,
        "year": interview.year,
        "quarter": (interview.month - 1) // 3 + 1,
        "province_code": commune.province_code,
        "commune_code": commune.code,
        "code_list_version": ctx.units.code_list_version,
        "urban_rural": commune.urban_rural,
        "enumerator_id": ctx.pseudonymizer.id("enumerator", enumerator.strip().casefold()) if enumerator else None,
        "consent": consent,
        "hh_size": None, "poverty_status": None, "craft_village": None, "livelihood": None,
        "caregiver_informed": None, "n_children": None,
    }
    if consent:
        c = ctx.choices
        row.update(
            hh_size=required("household/hh_size", number("household/hh_size", get_path(payload, "household/hh_size"), 1, 30, integer=True)),
            poverty_status=choice("household/poverty_status", get_path(payload, "household/poverty_status"), c["poverty"]),
            craft_village=yes_no("household/craft_village", get_path(payload, "household/craft_village")),
            livelihood=choice("household/livelihood", get_path(payload, "household/livelihood"), c["livelihood"]),
            caregiver_informed=choice("household/caregiver_informed", get_path(payload, "household/caregiver_informed"), c["yes_no_dk"]),
            n_children=number("household/n_children", get_path(payload, "household/n_children"), 0, 20, integer=True),
        )
    return row


def _household_pii(payload: dict, household_id: str) -> dict:
    lat, lon, alt, accuracy = _point(get_path(payload, "location/gps"))
    return {
        "household_id": household_id,
        "village": get_path(payload, "location/village"),
        "respondent_name": get_path(payload, "household/respondent_name"),
        "respondent_phone": get_path(payload, "household/respondent_phone"),
        "enumerator": payload.get("enumerator"),
        "gps_lat": lat, "gps_lon": lon, "gps_alt": alt, "gps_accuracy": accuracy,
    }


def _point(value: Any) -> tuple[float | None, ...]:
    """GeoJSON ``{"coordinates": [lon, lat, alt], "properties": {"accuracy"}}`` or ODK's ``"lat lon alt acc"``."""
    if isinstance(value, dict):
        coords = list(value.get("coordinates") or []) + [None, None, None]
        accuracy = (value.get("properties") or {}).get("accuracy")
        return coords[1], coords[0], coords[2], accuracy
    if isinstance(value, str) and value.strip():
        parts = [float(p) for p in value.split()] + [None, None, None, None]
        return parts[0], parts[1], parts[2], parts[3]
    return None, None, None, None


def _child(child: dict, index: int, household: dict, ctx: Context) -> tuple[dict, dict]:
    c = ctx.choices
    sex = required("child/sex", choice("child/sex", child.get("sex"), c["sex"]))
    dob = iso_date("child/dob", child.get("dob"))
    if dob is not None:
        age = _completed_years(dob, household["interview_date"])
        age_source = "dob"
    else:
        stated = child.get("age_stated", child.get("age"))
        age = required("child/age_stated", number("child/age_stated", stated, 0, 120, integer=True))
        age_source = "stated"
    if not AGE_MIN <= age <= AGE_MAX:
        raise Problem("child/age", age, "AGE_OUT_OF_RANGE", f"age {age} is outside {AGE_MIN}–{AGE_MAX}")
    econ = required("child/econ_activity", yes_no("child/econ_activity", child.get("econ_activity")))
    temp_absent = bool(yes_no("child/temp_absent", child.get("temp_absent")))
    working = econ or temp_absent
    work = (child.get("work") or {}) if working else {}
    hours_day = number("child/work/hours_day", work.get("hours_day"), 0, 24)
    hours_week = number("child/work/hours_week", work.get("hours_week"), 0, 112)
    if hours_day is not None and hours_week is not None and hours_day > hours_week:
        raise Problem("child/work/hours_day", hours_day, "HOURS_DAY_EXCEEDS_WEEK",
                      f"{hours_day:g} hours in a day but {hours_week:g} in the week")
    ethnicity = choice("child/ethnicity", child.get("ethnicity"), c["ethnicity"])
    row = {
        "child_id": ctx.pseudonymizer.id("child", household["form_id"], household["household_id"], index),
        "household_id": household["household_id"],
        "repeat_index": index,
        "sex": sex,
        "age": age,
        "age_source": age_source,
        "ethnicity": ethnicity,
        "ethnic_group": None if ethnicity is None else ("kinh" if ethnicity == "kinh" else "other"),
        "school_status": choice("child/school_status", child.get("school_status"), c["school_status"]),
        "grade": number("child/grade", child.get("grade"), 1, 12, integer=True),
        "econ_activity": econ,
        "temp_absent": temp_absent,
        "working": working,
        "work_kinds": _joined(choices("child/work/work_kind", work.get("work_kind"), c["work_kind"])),
        "workplaces": _joined(choices("child/work/workplace", work.get("workplace"), c["workplace"])),
        "sector": choice("child/work/sector", work.get("sector"), c["sector"]),
        "hours_day": hours_day,
        "hours_week": hours_week,
        "night_work": yes_no("child/work/night_work", work.get("night_work")),
        "overtime": yes_no("child/work/overtime", work.get("overtime")),
        "hazards": _joined(choices("child/work/hazards", work.get("hazards"), c["hazard"])),
        "performance_approved": yes_no("child/work/performance_approved", work.get("performance_approved")),
        "chores_hours_week": number("child/chores_hours_week", child.get("chores_hours_week"), 0, 112),
        "worked_12m": yes_no("child/worked_12m", child.get("worked_12m")),
        "child_informed": choice("child/child_informed", child.get("child_informed"), c["yes_no_dk"]),
    }
    pii = {"child_id": row["child_id"], "household_id": row["household_id"],
           "child_name": child.get("child_name"), "dob": dob}
    return row, pii


def _completed_years(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _joined(codes: frozenset[str]) -> str | None:
    return " ".join(sorted(codes)) or None
