"""From one household-survey submission to typed, de-identified rows, or quarantine rows with reasons.

Pure: no database. A household with a bad location, date or consent is quarantined whole; a child with a
bad answer is quarantined alone and the rest of the household still loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from warehouse.answers import (
    AGE_MAX,  # the survey's age range, re-exported
    AGE_MIN,
    Context,
    age_on,
    event_date,
    geopoint,
    location,
    period,
    quarantine_entry,
    staff_id,
    work_answers,
)
from warehouse.values import Problem, choice, get_path, number, required, yes_no

FORM_ID = "household_survey"


@dataclass
class Parsed:
    household: dict | None = None
    household_pii: dict | None = None
    children: list[dict] = field(default_factory=list)
    children_pii: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)

    def reject(self, problem: Problem, entity: str, repeat_index: int | None = None) -> None:
        self.quarantine.append(quarantine_entry(problem, entity, repeat_index))


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
    interview = event_date(raw, "interview_date")
    commune = location(payload, ctx.units)
    consent = required("consent", yes_no("consent", payload.get("consent")))
    row = {
        "household_id": household_id,
        "source": raw.source,
        "form_id": raw.form_id,
        "form_version": raw.form_version,
        "review_state": raw.review_state,
        "interview_date": interview,
        **period(interview),
        "province_code": commune.province_code,
        "commune_code": commune.code,
        "code_list_version": ctx.units.code_list_version,
        "urban_rural": commune.urban_rural,
        "enumerator_id": staff_id(ctx.pseudonymizer, "enumerator", payload.get("enumerator")),
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
    lat, lon, alt, accuracy = geopoint(get_path(payload, "location/gps"))
    return {
        "household_id": household_id,
        "village": get_path(payload, "location/village"),
        "respondent_name": get_path(payload, "household/respondent_name"),
        "respondent_phone": get_path(payload, "household/respondent_phone"),
        "enumerator": payload.get("enumerator"),
        "gps_lat": lat, "gps_lon": lon, "gps_alt": alt, "gps_accuracy": accuracy,
    }


def _child(child: dict, index: int, household: dict, ctx: Context) -> tuple[dict, dict]:
    c = ctx.choices
    sex = required("child/sex", choice("child/sex", child.get("sex"), c["sex"]))
    age, age_source, dob = age_on(child, "child/", household["interview_date"])
    work = work_answers(child, "child/", c)
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
        **work,
        "chores_hours_week": number("child/chores_hours_week", child.get("chores_hours_week"), 0, 112),
        "worked_12m": yes_no("child/worked_12m", child.get("worked_12m")),
        "child_informed": choice("child/child_informed", child.get("child_informed"), c["yes_no_dk"]),
    }
    pii = {"child_id": row["child_id"], "household_id": row["household_id"],
           "child_name": child.get("child_name"), "dob": dob}
    return row, pii
