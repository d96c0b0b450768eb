"""From one activity report to an activity and the people it reached per audience group, or a quarantine row.

Pure: no database. Any bad answer quarantines the whole report: its counts only make sense together. Free text
(title, venue, organiser, reporter, the sign-in list's file name) goes only to ``restricted_activity_text``.
A report without an audience (a broadcast, a print run, pledges, a supervision visit, a sanction) has no
participants: its own measures (airings, copies, an estimated reach with its basis, pledges, sanctions) are never
people informed.
"""

from __future__ import annotations

from typing import Any

from connectors.forms import ACTIVITY_REPORT
from warehouse.clean.answers import Context, Rows, event_date, joined, location, period
from warehouse.clean.values import Problem, choice, choices, get_path, number, required

FORM_ID = ACTIVITY_REPORT
TRAINING = "training_course"
MAX_PER_SEX = 10_000
BROADCAST, MATERIALS = "media_broadcast", "materials_distribution"
PLEDGE, SUPERVISION, SANCTION = "pledge_signing", "supervision_visit", "parent_sanction"
NO_AUDIENCE = frozenset({BROADCAST, MATERIALS, PLEDGE, SUPERVISION, SANCTION})  # the form's ``has_audience``
MAX_AIRINGS, MAX_COPIES, MAX_REACH = 10_000, 1_000_000, 100_000_000
MAX_SANCTIONED, MAX_FINES_VND, MAX_PLEDGES = 1_000, 1_000_000_000, 10_000


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
    day = event_date(raw, "activity_date", ctx.plausibility)
    commune = location(payload, ctx.units, day)
    kind = required("activity_type", choice("activity_type", payload.get("activity_type"), c["activity_type"]))

    def count(path: str, low: int, high: int) -> int:
        return required(path, number(path, get_path(payload, path), low, high, integer=True))

    organiser = choice("organiser_type", payload.get("organiser_type"), c["organiser_type"])
    participants, reach = (_participants(payload, activity_id, kind, c, count) if kind not in NO_AUDIENCE
                           else (dict.fromkeys(PARTICIPANT_COLUMNS), []))
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
        "organiser_type": organiser,
        "organisation": choice("organisation", payload.get("organisation"), c["mass_organisation"])
        if organiser == "mass_organisation" else None,
        "organiser_level": choice("organiser_level", payload.get("organiser_level"), c["supervisor_level"]),
        "campaign": choice("campaign", payload.get("campaign"), c["campaign"]),
        **participants,
        "has_participant_list": bool(get_path(payload, "participants/participant_list")),
        **_records(payload, kind, c, count),
    }
    return activity, reach


PARTICIPANT_COLUMNS = ("participants_male", "participants_female", "participants_total", "participants_new")


def _participants(payload: dict, activity_id: str, kind: str, c: dict, count) -> tuple[dict, list[dict]]:
    """The participants by sex and the reach per audience group of a report with an audience."""
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
    new_people = number("participants/new", get_path(payload, "participants/new"), 0, total, integer=True)
    return dict(zip(PARTICIPANT_COLUMNS, (male, female, total, new_people))), reach


def _records(payload: dict, kind: str, c: dict, count) -> dict:
    """The measures of a medium, a material, pledges, a supervision visit or a sanction: the type's own group,
    the others empty (a group the type does not ask is not read)."""
    out = dict.fromkeys(RECORD_COLUMNS)
    if kind in (BROADCAST, MATERIALS):
        broadcast = kind == BROADCAST
        channel = "media/broadcast_channel" if broadcast else "media/material"
        out["channel"] = required(channel, choice(channel, get_path(payload, channel),
                                                  c["broadcast_channel" if broadcast else "material"]))
        if broadcast:
            out["airings"] = count("media/airings", 1, MAX_AIRINGS)
        else:
            out["copies"] = count("media/copies", 1, MAX_COPIES)
        reach = number("media/estimated_reach", get_path(payload, "media/estimated_reach"), 1, MAX_REACH,
                       integer=True)
        if reach is not None:
            out["estimated_reach"] = reach
            out["reach_basis"] = required("media/reach_basis", choice(
                "media/reach_basis", get_path(payload, "media/reach_basis"), c["reach_basis"]))
    elif kind == SANCTION:
        kinds = choices("sanction/sanction_kinds", get_path(payload, "sanction/sanction_kinds"), c["sanction_kind"])
        required("sanction/sanction_kinds", joined(kinds))
        out |= {"sanctioned_people": count("sanction/sanctioned_people", 1, MAX_SANCTIONED),
                "sanction_warning": "warning" in kinds, "sanction_fine": "fine" in kinds,
                "fines_vnd": count("sanction/fines_vnd", 1, MAX_FINES_VND) if "fine" in kinds else None,
                "sanction_agency": required("sanction/sanction_agency", choice(
                    "sanction/sanction_agency", get_path(payload, "sanction/sanction_agency"),
                    c["inspecting_agency"]))}
    elif kind == PLEDGE:
        out |= {"pledge_signer": required("pledge/pledge_signer", choice(
                    "pledge/pledge_signer", get_path(payload, "pledge/pledge_signer"), c["pledge_signer"])),
                "pledges_signed": count("pledge/pledges_signed", 1, MAX_PLEDGES)}
    elif kind == SUPERVISION:
        level = choice("supervision/supervisor_level", get_path(payload, "supervision/supervisor_level"),
                       c["supervisor_level"])
        found = choice("supervision/issues_found", get_path(payload, "supervision/issues_found"), c["yes_no"])
        out |= {"supervisor_level": required("supervision/supervisor_level", level),
                "issues_found": required("supervision/issues_found", found) == "yes"}
    return out


RECORD_COLUMNS = ("channel", "airings", "copies", "estimated_reach", "reach_basis", "sanctioned_people",
                  "sanction_warning", "sanction_fine", "fines_vnd", "sanction_agency", "pledge_signer",
                  "pledges_signed", "supervisor_level", "issues_found")
