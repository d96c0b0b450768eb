"""From one case-report submission to a de-identified report with its screening, or a quarantine row.

Pure: no database. A report with a bad date, place, child or screening answer is quarantined whole (the child's
name and phone numbers are never quoted: a problem names the field). The names, date of birth, phone numbers,
village and summary go only to ``restricted_case_report_pii``; the officer is kept as a pseudonymous id.
"""

from __future__ import annotations

import base64
from typing import Any

from connectors.forms import CASE_REPORT
from warehouse.classify.classification import VN_LAW, Rules
from warehouse.clean.answers import Context, Rows, age_on, event_date, location, period, staff_id
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.clean.values import Problem, choice, get_path, group, required

FORM_ID = CASE_REPORT
CODE_PREFIX, CODE_LENGTH = "R-", 8
CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def report_id_of(pseudonymizer: Pseudonymizer, form_id: str, instance_id: str) -> str:
    """The pseudonymous id of a report: of its submission's form and root instance id."""
    return pseudonymizer.id("case_report", form_id, instance_id)


def report_code(pseudonymizer: Pseudonymizer, report_id: str) -> str:
    """``R-`` and 8 Crockford base-32 characters (no I, L, O, U) of a keyed hash of the report id."""
    digest = bytes.fromhex(pseudonymizer.id("report_code", report_id))
    return CODE_PREFIX + base64.b32encode(digest).decode().translate(CROCKFORD)[:CODE_LENGTH]


def parse_case_report(raw: Any, ctx: Context, rules: Rules) -> Rows:
    """``raw`` is a ``raw_submission`` row; the result holds one ``case_report`` row (its ``age_band`` by
    ``rules``) and its restricted row."""
    rows = Rows()
    try:
        report, pii = _report(raw, ctx, rules)
    except Problem as problem:
        rows.reject(problem, "case_report")
        return rows
    rows.add("case_report", report)
    rows.add("restricted_case_report_pii", pii)
    return rows


def _report(raw: Any, ctx: Context, rules: Rules) -> tuple[dict, dict]:
    payload, c = raw.payload, ctx.choices
    day = event_date(raw, "report_date", ctx.plausibility)
    commune = location(payload, ctx.units, day)
    child = group(payload, "reported_child")
    age, age_source, dob = age_on(child, "reported_child/", day, ctx.plausibility)
    screening = group(payload, "screening")
    outcome = required("screening/screening_outcome", choice(
        "screening/screening_outcome", screening.get("screening_outcome"), c["screening_outcome"]))
    reason = choice("screening/no_case_reason", screening.get("no_case_reason"), c["no_case_reason"])
    identified = None
    if outcome == "open_case":
        identified = event_date(raw, "screening/identification_date", ctx.plausibility)
        if identified < day:
            raise Problem("screening/identification_date", identified, "DATE_BEFORE_REPORT",
                          f"{identified} is before the report was received ({day})")
    if outcome == "no_case":
        required("screening/no_case_reason", reason)
    else:
        reason = None
    report_id = report_id_of(ctx.pseudonymizer, raw.form_id, raw.instance_id)
    report = {
        "report_id": report_id,
        "report_code": report_code(ctx.pseudonymizer, report_id),
        "report_date": day,
        **period(day),
        "officer_id": staff_id(ctx.pseudonymizer, "officer", payload.get("officer")),
        "reporter_type": required("reporter_type", choice("reporter_type", payload.get("reporter_type"),
                                                          c["reporter_type"])),
        "report_channel": choice("report_channel", payload.get("report_channel"), c["report_channel"]),
        "sex": required("reported_child/sex", choice("reported_child/sex", child.get("sex"), c["sex"])),
        "age": age,
        "age_source": age_source,
        "age_band": rules.age_band(VN_LAW, age),
        "case_type": required("case_type", choice("case_type", payload.get("case_type"), c["case_type"])),
        "province_code": commune.province_code,
        "commune_code": commune.code,
        "code_list_version": commune.code_list_version,
        "urgency": required("urgency", choice("urgency", payload.get("urgency"), c["urgency"])),
        "screening_outcome": outcome,
        "identification_date": identified,
        "no_case_reason": reason,
    }
    pii = {
        "report_id": report_id,
        "officer": payload.get("officer"),
        "reporter_name": payload.get("reporter_name"),
        "reporter_phone": payload.get("reporter_phone"),
        "child_name": required("reported_child/child_name", _text(child.get("child_name"))),
        "dob": dob,
        "guardian_name": child.get("guardian_name"),
        "guardian_phone": child.get("guardian_phone"),
        "village": get_path(payload, "location/village"),
        "summary": payload.get("summary"),
    }
    return report, pii


def _text(value: Any) -> str | None:
    """A typed name, stripped; ``None`` when blank or not text (the value is never quoted in a problem)."""
    return value.strip() or None if isinstance(value, str) else None
