"""From one household-survey submission to typed, de-identified rows, or quarantine rows with reasons.

Pure: no database. A household with a bad location, date, consent or roster is quarantined whole; a child with a
bad answer, or entered twice, is quarantined alone and the rest of the household still loads (the plausibility
rules: ``warehouse/reference/plausibility.toml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.forms import HOUSEHOLD_SURVEY
from warehouse.clean.answers import (
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
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.clean.values import Problem, choice, get_path, group, number, required, yes_no

FORM_ID = HOUSEHOLD_SURVEY
UNKNOWN_AREA = ""  # province, commune and urban/rural of a household without consent: the form does not ask them
PHONE = re.compile(r"^(0|\+84)([35789][0-9]{8}|2[0-9]{9})$")  # the form's constraint on respondent_phone


@dataclass
class Parsed:
    household: dict | None = None
    household_pii: dict | None = None
    children: list[dict] = field(default_factory=list)
    children_pii: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)

    def reject(self, problem: Problem, entity: str, repeat_index: int | None = None) -> None:
        self.quarantine.append(quarantine_entry(problem, entity, repeat_index))

    @property
    def tables(self) -> dict[str, list[dict]]:
        """The rows by table (none without a household), as ``warehouse.clean.steps.clean`` writes them."""
        if self.household is None:
            return {}
        return {"household": [self.household], "restricted_household_pii": [self.household_pii],
                "child": self.children, "restricted_child_pii": self.children_pii}


def household_id_of(pseudonymizer: Pseudonymizer, form_id: str, instance_id: str) -> str:
    """The pseudonymous id of a household: of its submission's form and root instance id."""
    return pseudonymizer.id("household", form_id, instance_id)


def child_id_of(pseudonymizer: Pseudonymizer, form_id: str, household_id: str, index: int) -> str:
    """The pseudonymous id of the ``index``-th child (from 1) of a household's roster."""
    return pseudonymizer.id("child", form_id, household_id, index)


def parse_household(raw: Any, ctx: Context) -> Parsed:
    """``raw`` is a ``raw_submission`` row (attributes ``payload``, ``instance_id``, ``submitted_at`` …). The
    review policy is the cleaning step's to apply (``warehouse.clean.steps``)."""
    parsed = Parsed()
    payload = raw.payload
    household_id = household_id_of(ctx.pseudonymizer, raw.form_id, raw.instance_id)
    try:
        household = _household(raw, payload, household_id, ctx)
        children = payload.get("child") or []
        if not isinstance(children, list):
            raise Problem("child", children, "WRONG_TYPE", "expected the child repeat: a list of children")
        _roster(household, len(children))
    except Problem as problem:
        parsed.reject(problem, "household")
        return parsed
    parsed.household = household
    parsed.household_pii = _household_pii(payload, household_id)
    earlier: list[dict] = []  # the children before, without their positional ids
    for index, child in enumerate(children, start=1):
        try:
            if not household["consent"]:
                raise Problem("consent", "no", "NO_CONSENT", "child answers in a household that did not consent")
            if not isinstance(child, dict):
                raise Problem("child", child, "WRONG_TYPE", "expected the answers about one child")
            answers = {key: value for key, value in child.items() if key != "__id"}
            if answers in earlier:
                raise Problem("child", None, "DUPLICATE_CHILD",
                              f"every answer is the same as child {earlier.index(answers) + 1}'s: one child entered"
                              " twice")
            earlier.append(answers)
            row, pii = _child(child, index, household, ctx)
        except Problem as problem:
            parsed.reject(problem, "child", index)
            continue
        parsed.children.append(row)
        parsed.children_pii.append(pii)
    return parsed


def _roster(household: dict, listed: int) -> None:
    """The roster against ``n_children`` and ``hh_size`` (plausibility.toml): a size the form cannot produce."""
    size, expected = household["hh_size"], household["n_children"]
    if size is not None and listed > size:
        raise Problem("child", listed, "ROSTER_EXCEEDS_HH_SIZE",
                      f"{listed} children listed in a household of {size} people")
    if expected is not None and size is not None and expected > size:
        raise Problem("household/n_children", expected, "N_CHILDREN_EXCEEDS_HH_SIZE",
                      f"{expected} children aged 5-17 in a household of {size} people")
    if expected is not None and listed != expected:
        raise Problem("child", listed, "ROSTER_NOT_N_CHILDREN",
                      f"{listed} children listed, but n_children is {expected}")


def _household(raw: Any, payload: dict, household_id: str, ctx: Context) -> dict:
    interview = event_date(raw, "interview_date", ctx.plausibility)
    consent = required("consent", yes_no("consent", payload.get("consent")))
    # without consent the form asks no location: its group comes all null (ODK Central), null or left out
    asked = consent or get_path(payload, "location/commune") is not None
    where = location(payload, ctx.units, interview) if asked else None
    answers = group(payload, "household")
    phone = answers.get("respondent_phone")
    if phone not in (None, "") and (not isinstance(phone, str) or not PHONE.match(phone.strip())):
        raise Problem("household/respondent_phone", phone, "INVALID_PHONE",
                      "not a phone number the form accepts (0 or +84, then 9 or 10 digits)")
    row = {
        "household_id": household_id,
        "source": raw.source,
        "form_id": raw.form_id,
        "form_version": raw.form_version,
        "review_state": raw.review_state,
        "interview_date": interview,
        **period(interview),
        "province_code": UNKNOWN_AREA if where is None else where.province_code,
        "commune_code": UNKNOWN_AREA if where is None else where.code,
        "code_list_version": ctx.units.code_list_version if where is None else where.code_list_version,
        "urban_rural": UNKNOWN_AREA if where is None else where.urban_rural,
        "enumerator_id": staff_id(ctx.pseudonymizer, "enumerator", payload.get("enumerator")),
        "interview_minutes": interview_minutes(payload.get("start"), payload.get("end")),
        "consent": consent,
        **_sampling_unit(get_path(payload, "location/sampling_unit") if where is not None else None),
        "hh_size": None, "poverty_status": None, "craft_village": None, "livelihood": None,
        "caregiver_informed": None, "n_children": None,
    }
    if consent:
        c = ctx.choices
        row.update(
            hh_size=_required_number("household/hh_size",
                                     number("household/hh_size", answers.get("hh_size"), 1, 30, integer=True)),
            poverty_status=choice("household/poverty_status", answers.get("poverty_status"), c["poverty"]),
            craft_village=yes_no("household/craft_village", answers.get("craft_village")),
            livelihood=choice("household/livelihood", answers.get("livelihood"), c["livelihood"]),
            caregiver_informed=choice("household/caregiver_informed", answers.get("caregiver_informed"), c["yes_no_dk"]),
            n_children=number("household/n_children", answers.get("n_children"), 0, 20, integer=True),
        )
    return row


def interview_minutes(start: Any, end: Any) -> float | None:
    """Minutes from the form's ``start`` to its ``end`` (metadata the device records, never asked): ``None``
    when either is missing or not a date and time with its offset."""
    try:
        began, ended = datetime.fromisoformat(start), datetime.fromisoformat(end)
        return round((ended - began).total_seconds() / 60, 1)
    except (TypeError, ValueError):  # missing, not text, not a timestamp, or one without an offset
        return None


SAMPLING_UNIT = re.compile(r"([A-Za-z0-9_.-]{1,32}):([A-Za-z0-9_.-]{1,32})")


def _sampling_unit(value: Any) -> dict:
    """The survey round and unit of ``location/sampling_unit`` (``round:unit``, the choice list made from the
    sample frames, ``warehouse.reference.reference_data.sampling_unit_choices``); none: collected without a design."""
    if value in (None, ""):
        return {"survey_round": None, "psu_code": None}
    match = SAMPLING_UNIT.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise Problem("location/sampling_unit", value, "UNKNOWN_SAMPLING_UNIT",
                      "not a sampling unit of the form's list (round:unit)")
    return {"survey_round": match[1], "psu_code": match[2]}


def _required_number(field: str, value: Any) -> Any:
    """``value`` of a required number question, else ``MISSING_OR_UNREADABLE``: ODK Central sends an answer it cannot
    read as a number as null, as it sends no answer."""
    if value is None:
        raise Problem(field, value, "MISSING_OR_UNREADABLE",
                      "no answer, or an answer that is not a number (ODK Central sends both as empty)")
    return value


def _household_pii(payload: dict, household_id: str) -> dict:
    where, answers = group(payload, "location"), group(payload, "household")
    lat, lon, alt, accuracy = geopoint(where.get("gps"))
    return {
        "household_id": household_id,
        "village": where.get("village"),
        "respondent_name": answers.get("respondent_name"),
        "respondent_phone": answers.get("respondent_phone"),
        "enumerator": payload.get("enumerator"),
        "gps_lat": lat, "gps_lon": lon, "gps_alt": alt, "gps_accuracy": accuracy,
    }


def _child(child: dict, index: int, household: dict, ctx: Context) -> tuple[dict, dict]:
    c = ctx.choices
    if not isinstance(child.get("work"), (dict, type(None))):
        raise Problem("child/work", child["work"], "WRONG_TYPE", "expected the work group: answers about the work")
    sex = required("child/sex", choice("child/sex", child.get("sex"), c["sex"]))
    age, age_source, dob = age_on(child, "child/", household["interview_date"], ctx.plausibility)
    work = work_answers(child, "child/", c)
    ethnicity = choice("child/ethnicity", child.get("ethnicity"), c["ethnicity"])
    row = {
        "child_id": child_id_of(ctx.pseudonymizer, household["form_id"], household["household_id"], index),
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
