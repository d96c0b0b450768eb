"""From one activity report to an activity and the people it reached per audience group, or a quarantine row.

Pure: no database. Any bad answer quarantines the whole report: its counts only make sense together. Free text
(title, venue, organiser, reporter, the sign-in list's file name) goes only to ``restricted_activity_text``.
"""

from __future__ import annotations

from typing import Any

from warehouse.answers import Context, Rows, event_date, joined, location, period
from warehouse.values import Problem, choice, choices, get_path, number, required

FORM_ID = "activity_report"
TRAINING = "training_course"
MAX_PER_SEX = 10_000


def parse_activity(raw: Any, ctx: Context) -> Rows:
    """``raw`` is a ``raw_submission`` row; the result holds rows of ``activity``, ``activity_reach`` (one per
    audience group selected) and ``restricted_activity_text``."""
    rows = Rows()
    payload = raw.payload
    activity_id = ctx.pseudonymizer.id("activity", raw.form_id, raw.instance_id)
    try:
        activity, reach = _activity(raw, activity_id, ctx)
    except Problem as problem:
        rows.reject(problem, "activity")
        return rows
    rows.add("activity", activity)
    for row in reach:
        rows.add("activity_reach", row)
    rows.add("restricted_activity_text", {
        "activity_id": activity_id, "title": payload.get("title"), "venue": get_path(payload, "location/venue"),
        "organiser_name": payload.get("organiser_name"), "reporter": payload.get("reporter"),
        "participant_list": get_path(payload, "participants/participant_list"),
    })
    return rows


def _activity(raw: Any, activity_id: str, ctx: Context) -> tuple[dict, list[dict]]:
    payload, c = raw.payload, ctx.choices
    day = event_date(raw, "activity_date")
    commune = location(payload, ctx.units, day)
    kind = required("activity_type", choice("activity_type", payload.get("activity_type"), c["activity_type"]))

    def count(path: str, low: int, high: int) -> int:
        return required(path, number(path, get_path(payload, path), low, high, integer=True))

    male, female = count("participants/male", 0, MAX_PER_SEX), count("participants/female", 0, MAX_PER_SEX)
    total = count("participants/total", 1, 2 * MAX_PER_SEX)
    if total != male + female:
        raise Problem("participants/total", total, "TOTAL_NOT_MALE_PLUS_FEMALE",
                      f"{total} participants but {male} male and {female} female")
    audiences = choices("audience_groups", payload.get("audience_groups"), c["audience"])
    required("audience_groups", joined(audiences))
    reach = []
    for audience in sorted(audiences):
        reached = count(f"reached/{audience}", 1, total)
        new = count(f"reached/{audience}_new", 0, reached)
        trained = count(f"reached/{audience}_new_trained", new, reached) if kind == TRAINING else None
        reach.append({"activity_id": activity_id, "audience": audience, "reached": reached, "reached_new": new,
                      "reached_new_trained": trained})
    activity = {
        "activity_id": activity_id,
        "source": raw.source,
        "form_version": raw.form_version,
        "activity_date": day,
        **period(day),
        "province_code": commune.province_code,
        "commune_code": commune.code,
        "code_list_version": commune.code_list_version,
        "activity_type": kind,
        "training": kind == TRAINING,
        "topics": joined(choices("topics", payload.get("topics"), c["topic"])),
        "organiser_type": choice("organiser_type", payload.get("organiser_type"), c["organiser_type"]),
        "participants_male": male,
        "participants_female": female,
        "participants_total": total,
        "participants_new": number("participants/new", get_path(payload, "participants/new"), 0, total, integer=True),
        "has_participant_list": bool(get_path(payload, "participants/participant_list")),
    }
    return activity, reach
