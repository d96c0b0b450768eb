"""From one workplace-inspection submission to an inspection and its young workers, or quarantine rows.

Pure: no database. An inspection with a bad date, location or establishment answer is quarantined whole; a young
worker with a bad answer (an age outside 5–17 included) is quarantined alone and the inspection still loads.
Names, the inspector and GPS go only to the restricted tables.
"""

from __future__ import annotations

from typing import Any

from connectors.forms import WORKPLACE_INSPECTION
from warehouse.clean.answers import (
    Context,
    Rows,
    age_on,
    event_date,
    geopoint,
    joined,
    location,
    not_after,
    period,
    staff_id,
    work_answers,
)
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.clean.values import Problem, choice, choices, get_path, iso_date, number, required, yes_no

FORM_ID = WORKPLACE_INSPECTION
SECTOR, OLD_SECTOR = "establishment/establishment_sector", "establishment/sector"  # renamed in version 2026120601


def inspection_id_of(pseudonymizer: Pseudonymizer, form_id: str, instance_id: str) -> str:
    """The pseudonymous id of an inspection: of its submission's form and root instance id."""
    return pseudonymizer.id("inspection", form_id, instance_id)


def young_worker_id_of(pseudonymizer: Pseudonymizer, inspection_id: str, index: int) -> str:
    """The pseudonymous id of the ``index``-th worker under 18 (from 1) found at an inspection."""
    return pseudonymizer.id("young_worker", FORM_ID, inspection_id, index)


def parse_inspection(raw: Any, ctx: Context) -> Rows:
    """``raw`` is a ``raw_submission`` row; the result holds rows of ``inspection``, ``young_worker`` and their
    restricted tables."""
    rows = Rows()
    payload = raw.payload
    inspection_id = inspection_id_of(ctx.pseudonymizer, raw.form_id, raw.instance_id)
    try:
        inspection = _inspection(raw, inspection_id, ctx)
    except Problem as problem:
        rows.reject(problem, "inspection")
        return rows
    rows.add("inspection", inspection)
    lat, lon, _, _ = geopoint(get_path(payload, "location/gps"))
    rows.add("restricted_inspection_pii", {
        "inspection_id": inspection_id,
        "establishment_name": get_path(payload, "establishment/establishment_name"),
        "craft_village_name": get_path(payload, "establishment/craft_village_name"),
        "inspector": payload.get("inspector"), "gps_lat": lat, "gps_lon": lon,
    })
    for index, worker in enumerate(payload.get("young_worker") or [], start=1):
        try:
            row, pii = _young_worker(worker, index, inspection, ctx)
        except Problem as problem:
            rows.reject(problem, "young_worker", index)
            continue
        rows.add("young_worker", row)
        rows.add("restricted_young_worker_pii", pii)
    return rows


def _inspection(raw: Any, inspection_id: str, ctx: Context) -> dict:
    payload, c = raw.payload, ctx.choices
    day = event_date(raw, "inspection_date", ctx.plausibility)
    commune = location(payload, ctx.units, day)

    def answer(path: str) -> Any:
        return get_path(payload, path)

    def count(path: str, low: int, high: int) -> int:
        return required(path, number(path, answer(path), low, high, integer=True))

    total = count("establishment/total_workers", 1, 100_000)
    young = count("establishment/n_young_workers", 0, 100)
    if young > total:
        raise Problem("establishment/n_young_workers", young, "YOUNG_WORKERS_EXCEED_TOTAL",
                      f"{young} workers under 18 but {total} workers in all")
    sector = SECTOR if answer(SECTOR) is not None else OLD_SECTOR
    actions = choices("findings/actions", answer("findings/actions"), c["action"])
    fine = number("findings/fine_amount", answer("findings/fine_amount"), 1, 1_000_000_000, integer=True)
    if "fine" in actions:
        required("findings/fine_amount", fine)
    return {
        "inspection_id": inspection_id,
        "source": raw.source,
        "form_version": raw.form_version,
        "inspection_date": day,
        **period(day),
        "province_code": commune.province_code,
        "commune_code": commune.code,
        "code_list_version": commune.code_list_version,
        "inspection_kind": choice("inspection_kind", payload.get("inspection_kind"), c["inspection_kind"]),
        "inspecting_agency": choice("inspecting_agency", payload.get("inspecting_agency"), c["inspecting_agency"]),
        "inspector_id": staff_id(ctx.pseudonymizer, "inspector", payload.get("inspector")),
        "establishment_type": required("establishment/establishment_type", choice(
            "establishment/establishment_type", answer("establishment/establishment_type"), c["establishment_type"])),
        "enterprise_size": choice("establishment/enterprise_size", answer("establishment/enterprise_size"),
                                  c["enterprise_size"]),
        "sector": choice(sector, answer(sector), c["sector"]),
        "craft_village": yes_no("establishment/craft_village", answer("establishment/craft_village")),
        "total_workers": total,
        "n_young_workers": young,
        "employer_informed": choice("employer/informed", answer("employer/informed"), c["yes_no_dk"]),
        "employer_informed_date": not_after("employer/informed_date", iso_date(
            "employer/informed_date", answer("employer/informed_date")), day, "inspection"),
        "employer_trained": choice("employer/trained", answer("employer/trained"), c["yes_no_dk"]),
        "employer_trained_date": not_after("employer/trained_date", iso_date(
            "employer/trained_date", answer("employer/trained_date")), day, "inspection"),
        "violations": joined(choices("findings/violations", answer("findings/violations"), c["violation"])),
        "actions": joined(actions),
        "fine_amount": fine,
    }


def _young_worker(worker: dict, index: int, inspection: dict, ctx: Context) -> tuple[dict, dict]:
    c = ctx.choices
    age, age_source, dob = age_on(worker, "young_worker/", inspection["inspection_date"], ctx.plausibility)
    worker_id = young_worker_id_of(ctx.pseudonymizer, inspection["inspection_id"], index)
    pii = {"worker_id": worker_id, "inspection_id": inspection["inspection_id"],
           "worker_name": worker.get("worker_name"), "dob": dob}
    return {
        "worker_id": worker_id,
        "inspection_id": inspection["inspection_id"],
        "repeat_index": index,
        "sex": required("young_worker/sex", choice("young_worker/sex", worker.get("sex"), c["sex"])),
        "age": age,
        "age_source": age_source,
        **work_answers(worker, "young_worker/", c, always_working=True),
        "in_register": yes_no("young_worker/in_register", worker.get("in_register")),
        "contract_signed": yes_no("young_worker/contract_signed", worker.get("contract_signed")),
        "health_certificate": yes_no("young_worker/health_certificate", worker.get("health_certificate")),
        "health_checkups": yes_no("young_worker/health_checkups", worker.get("health_checkups")),
    }, pii
