"""From one case follow-up submission to a case visit with its work answers, or a quarantine row.

Pure: no database. Whether the visited case exists is not known here: the case register step matches visits to
cases (and quarantines those that match none, until their case appears). The case worker's name is kept only as
a pseudonymous id (the raw submission keeps the name).
"""

from __future__ import annotations

from typing import Any

from connectors.forms import CASE_FOLLOWUP
from warehouse.cases.case_register import case_id_from_entity
from warehouse.cases.case_workflow import load_workflow
from warehouse.clean.answers import Context, Rows, event_date, joined, not_after, period, staff_id, work_answers
from warehouse.clean.values import Problem, choice, choices, iso_date, number, required, yes_no

FORM_ID = CASE_FOLLOWUP


def parse_case_visit(raw: Any, ctx: Context) -> Rows:
    """``raw`` is a ``raw_submission`` row; the result holds one ``case_visit`` row without its classification
    (``rules_version``, ``child_labour``, ``reasons``: ``warehouse.classify.classify`` adds it), and its
    ``case_service`` rows."""
    rows = Rows()
    try:
        visit = _visit(raw, ctx)
    except Problem as problem:
        rows.reject(problem, "case_visit")
        return rows
    rows.add("case_visit", visit)
    for index, service in enumerate(raw.payload.get("service") or [], start=1):
        try:
            rows.add("case_service", _service(service, index, visit, ctx))
        except Problem as problem:
            rows.reject(problem, "case_service", index)
    return rows


def _visit(raw: Any, ctx: Context) -> dict:
    payload, c = raw.payload, ctx.choices
    day = event_date(raw, "visit_date", ctx.plausibility)
    first_age, last_age = ctx.plausibility.case_visit_ages
    status = required("case_status", choice("case_status", payload.get("case_status"), c["case_status"]))
    state = choice("case_state", payload.get("case_state"), c["case_state"]) or load_workflow().status_as_state[status]
    closure = choice("closure_reason", payload.get("closure_reason"), c["closure_reason"])
    if status == "closed":
        required("closure_reason", closure)
    assessment, plan = payload.get("assessment") or {}, payload.get("plan") or {}
    plan_date = not_after("plan/plan_date", iso_date("plan/plan_date", plan.get("plan_date")), day, "visit")
    return {
        "visit_id": ctx.pseudonymizer.id("case_visit", raw.form_id, raw.instance_id),
        "case_id": _case_id(payload.get("case_id")),
        "visit_date": day,
        **period(day),
        "case_worker_id": staff_id(ctx.pseudonymizer, "case_worker", payload.get("case_worker")),
        "case_source": choice("case_source", payload.get("case_source"), c["case_source"]),
        "case_type": choice("case_type", payload.get("case_type"), c["case_type"]),
        "age": required("age", number("age", payload.get("age"), first_age, last_age, integer=True)),
        **work_answers(payload, "", c),
        "chores_hours_week": number("chores_hours_week", payload.get("chores_hours_week"), 0, 112),
        "school_status": choice("school_status", payload.get("school_status"), c["school_status"]),
        "vocational_training": yes_no("vocational_training", payload.get("vocational_training")),
        "supports": joined(choices("support", payload.get("support"), c["support_type"])),
        "first_support_date": not_after("first_support_date", iso_date(
            "first_support_date", payload.get("first_support_date")), day, "visit"),
        "case_status": status,
        "closure_reason": closure,
        "next_visit": iso_date("next_visit", payload.get("next_visit")),
        "case_state": state,
        "assessed": yes_no("assessment_done", payload.get("assessment_done")),
        "risk_level": choice("assessment/risk_level", assessment.get("risk_level"), c["risk_level"]),
        "needs": joined(choices("assessment/needs", assessment.get("needs"), c["support_type"])),
        "plan_date": plan_date,
        "plan_review_date": iso_date("plan/plan_review_date", plan.get("plan_review_date")),
        "supervisor_id": staff_id(ctx.pseudonymizer, "supervisor", payload.get("supervisor_name")),
        "signoff_date": iso_date("signoff_date", payload.get("signoff_date")),
    }


def _service(service: dict, index: int, visit: dict, ctx: Context) -> dict:
    """One ``service`` repeat entry; the provider's name is not kept (the raw submission has it)."""
    c, day = ctx.choices, visit["visit_date"]
    referred = required("service/referred_date", not_after(
        "service/referred_date", iso_date("service/referred_date", service.get("referred_date")), day, "visit"))
    outcome = required("service/service_outcome", choice("service/service_outcome", service.get("service_outcome"),
                                                         c["service_outcome"]))
    received = not_after("service/received_date", iso_date("service/received_date", service.get("received_date")),
                         day, "visit")
    if received is not None and received < referred:
        raise Problem("service/received_date", received, "RECEIVED_BEFORE_REFERRAL",
                      "the service was received before it was referred")
    if outcome == "received":
        required("service/received_date", received)
    return {
        "visit_id": visit["visit_id"], "repeat_index": index, "case_id": visit["case_id"],
        "service_type": required("service/service_type", choice("service/service_type", service.get("service_type"),
                                                                c["support_type"])),
        "provider": required("service/provider", choice("service/provider", service.get("provider"), c["provider"])),
        "referred_date": referred, "service_outcome": outcome, "received_date": received,
    }


def _case_id(value: Any) -> str:
    """The chosen case's id in the warehouse (:func:`case_id_from_entity`), whether the follow-up carries its
    entity id or, from a case list written before, the case id itself."""
    required("case_id", value)
    try:
        return case_id_from_entity(str(value))
    except ValueError:
        raise Problem("case_id", value, "INVALID_CASE_ID", "not a case id (UUID) of the cases list") from None
