"""Small inspection, case follow-up and activity-report fixtures (ODK Central OData shape), indicators by hand.

Communes: A = 00004 Phường Ba Đình (province 01), B = 05977 Phường Đông Kinh (province 20). Everything in 2026.
Indicators are checked nationally (VN) unless said; ``min_cell`` is 5; in time = first support within 30 days.

Inspections (vn_law):

| # | commune | date | type | young workers (age sex: work) | violations | actions | employer informed |
|---|---|---|---|---|---|---|---|
| I1 | A | 03-02 | enterprise | w1 16M factory 10h/50h, noise → CL hazardous; w2 17F shop 8h/40h → at risk | yes | warning, fine | 2025-11 |
| I2 | A | 03-09 | household_business | w3 13M metal_work 4h/20h → CL hazardous | yes | fine | 2026-01 |
| I3 | A | 03-16 | enterprise | w4 15M heavy_loads 6h/30h → CL hazardous | yes | warning | 2026-02 (trained too) |
| I4 | A | 03-23 | craft_village_workshop | w5 14F handicraft 3h/15h → at risk; a worker aged 19 → quarantined | yes | advice | no |
| I5 | A | 04-06 | farm | w7 12M grazing 2h/6h → CL (under 13) | yes | fine | 2026-03 |
| I6 | A | 04-13 | enterprise | w8 16F factory 6h/30h, dust → CL hazardous | yes | warning | 2025-06 |
| I7 | A | 04-20 | cooperative | w9 17M construction site 8h/40h → CL hazardous | yes | fine | dont_know |
| I8 | A | 05-04 | cooperative | none | none | none | 2026-04 |
| I9 | 99999 | 05-05 | unknown commune: quarantined | | | | |
| I10 | A | 05-06 | deleted on the server: never counted | | | | |

4.1a using child labour 6/8 = 0.75 · 4.1b violation 7/8 = 0.875 · 4.1c sanctioned (warning or fine) 6/8 = 0.75 ·
2.3 (inspections) employer informed 6/8 = 0.75 · 1.1h (inspections) hazardous 5 of 6 child labourers = 0.8333.

Households (commune B): H1 02-10 k1 10F vegetable weeding 2h/8h → CL (under 13), k2 8M not working;
H2 05-11 k3 16M shop 4h/20h → at risk.

Case register: ten cases — child labourers w1 w3 w4 w7 w8 w9 k1, at risk w2 w5 k3 — identified on the date of
their inspection or interview. Visits (support, first support date, situation at the visit):

| case | identified | visits | first support (days) | last visit: working? education | status |
|---|---|---|---|---|---|
| w1 | 03-02 | 03-20 education; 06-15 | 03-20 (18) | not working, attending | monitoring |
| w2 | 03-02 | 04-01 vocational training | 04-01 (30: in time) | shop 8h/40h (not CL), vocational training | monitoring |
| w3 | 03-09 | 04-09 legal | 04-09 (31: one day late) | not working, attending | supported |
| w4 | 03-16 | 03-20 no support; 04-10 health | 04-08 (23) | not working, dropped out | supported |
| w5 | 03-23 | 04-02 education | 03-30 (7) | not working, attending | closed 04-02 |
| w7 | 04-06 | 04-20 education, social assistance | 04-15 (9) | not working, attending | closed 04-20 |
| w8 | 04-13 | 05-01 psychosocial | 05-01 (18) | factory 6h/30h, dust (CL), vocational training | supported |
| w9 | 04-20 | none | – | – | open |
| k1 | 02-10 | 02-20 education | 02-20 (10) | not working, attending | monitoring |
| k3 | 05-11 | 06-01 no support | – | shop 4h/20h (not CL), attending | open |

Plus a visit to a case id no case has (quarantined ``UNKNOWN_CASE``) and one with a case id that is no UUID
(quarantined ``INVALID_CASE_ID``).

1.2 in time (≤ 30 days and a visit) 7/10 = 0.7 (w3 at 31 days, w9 and k3 without support are not); by case type
child_labourer 5/7. 1.3 in education at the last visit 8/9 (w4 is not). 4.2a child labourers out of child labour
at their last visit 5/6 (w1 w3 w4 w7 k1; w8 is not). 4.2b median days to first support of 7, 9, 10, 18, 18, 23,
30, 31 = 18 (8 cases). 4.2c: two closures → suppressed.

Activities (commune A, province 01) with a reference population uploaded for province 01 in 2026: teachers and
staff 200, children 1000, provincial and district officials 50 (no caregivers, no establishments):

| # | date | type | participants | reached (new, new trained) |
|---|---|---|---|---|
| A1 | 03-05 | school_activity | 200 M + 230 F | teachers_staff 30 (25), children 400 (380) |
| A2 | 06-10 | communication_event | 70.0 M + 90.0 F (decimals as sent) | parents_caregivers 60 (50), children 100 (40) |
| A3 | 09-15 | training_course | 35 M + 25 F | provincial_district_officials 30 (20, 24), teachers_staff 20 (5, 15), enterprises 10 (8, 10) |
| A4 | 10-01 | workshop | 10 + 10 but total 25 → quarantined | |
| A5 | 06-12 | media_broadcast, `world_day`: commune radio, 8 airings, estimated reach 3,000 (households covered) | none | none |
| A6 | 06-20 | materials_distribution: 5,000 leaflets, no estimate | none | none |
| A7 | 07-01 | campaign_launch, `vi_dan_em` | 12 M + 8 F | youth_pioneer_cadres 12 (12), volunteers 8 (8) |
| A8 | 07-15 | pledge_signing: 20 craft-village households | none | none |
| A9 | 08-01 | supervision_visit by a provincial team, shortcomings found | none | none |
| A10 | 08-20 | parent_sanction: 2 parents, warning and fine, 3,000,000 VND, by the commune | none | none |
| A11 | 08-25 | media_broadcast: social media, an estimate without its basis → quarantined | none | none |

A5–A10 change no indicator: a broadcast's or print run's reach is not people informed, and no target names
Youth Union cadres or volunteers.

Province 01: 2.1a 30/200 = 0.15 · 2.2 (activities) 420/1000 = 0.42 · 3.1a 24/50 = 0.48 · 2.1b (activities) 50
reached, no caregivers population → ``no_denominator`` · 2.3 (activities and inspections) 8 enterprises + 4
employers informed in 2026 (I2, I3, I5, I8) = 12, no establishment population → ``no_denominator``.
"""

from __future__ import annotations

from tests.pipeline.household_fixture import child, household
from tests.pipeline.household_fixture import work as household_work
from warehouse.cases.case_register import case_id_of
from warehouse.clean.pseudonym import Pseudonymizer

COMMUNE_A, PROVINCE_A = "00004", "01"
COMMUNE_B, PROVINCE_B = "05977", "20"
FORM_VERSION = "2026112301"
POPULATIONS_CSV = """area_level,area_code,code_list_version,year,population_group,value,source
province,01,vn-2025-07,2026,teachers_staff,200,fixture
province,01,vn-2025-07,2026,children_5_17,1000,fixture
province,01,vn-2025-07,2026,provincial_district_officials,50,fixture
"""
NO_WORK = {k: None for k in ("work_kind", "performance_approved", "workplace", "sector", "hours_day",
                              "hours_week", "night_work", "overtime", "hazards")}


def odata(form_id: str, n: int, values: dict, *, deleted_at: str | None = None) -> dict:
    """``values`` as ODK Central serves them, with instance id number ``n`` of ``form_id``."""
    prefix = {"workplace_inspection": 1, "case_followup": 2, "activity_report": 3}[form_id]
    instance = f"uuid:00000000-0000-4000-{8000 + prefix}-{n:012d}"
    row = {**values, "meta": {"instanceID": instance, "instanceName": None}, "__id": instance, "__system": {
        "submissionDate": f"2026-11-{n % 20 + 1:02d}T08:00:00.000Z", "updatedAt": None, "submitterId": "5",
        "submitterName": "collector@example.com", "attachmentsPresent": 0, "attachmentsExpected": 0, "status": None,
        "reviewState": None, "deviceId": None, "edits": 0, "formVersion": FORM_VERSION, "deletedAt": deleted_at}}
    for name, value in values.items():
        if isinstance(value, list):
            row[f"{name}@odata.navigationLink"] = f"Submissions('{instance.replace(':', '%3A')}')/{name}"
    return row


def work(kind: str, day: float, week: float, place: str = "workshop_factory", hazards: str = "none",
         sector: str = "industry_construction") -> dict:
    return {**NO_WORK, "work_kind": kind, "workplace": place, "sector": sector, "hours_day": day,
            "hours_week": week, "night_work": "no", "overtime": "no", "hazards": hazards}


# ---------------------------------------------------------------- inspections


def worker(name: str, age: int, sex: str, job: dict) -> dict:
    under_15 = "yes" if age < 15 else None
    return {"worker_name": name, "sex": sex, "dob_known": "no", "dob": None, "age_stated": age, "age": age,
            "work": job, "in_register": "no", "contract_signed": under_15 and "no",
            "health_certificate": under_15 and "no", "health_checkups": under_15 and "no"}


def inspection(n: int, day: str, kind: str, workers: list[dict], violations: str, actions: str,
               informed: str = "no", informed_on: str | None = None, trained_on: str | None = None,
               fine: int | None = None, commune: str = COMMUNE_A, province: str = PROVINCE_A,
               deleted_at: str | None = None) -> dict:
    values = {
        "inspection_date": f"2026-{day}", "inspector": "Trần Thanh Tra", "inspection_kind": "surprise",
        "location": {"province": province, "commune": commune, "gps": "21.03 105.84 12 5"},
        "establishment": {"establishment_type": kind, "establishment_name": f"Cơ sở {n}",
                          "enterprise_size": "small" if kind == "enterprise" else None,
                          "establishment_sector": "industry_construction", "craft_village": "no",
                          "craft_village_name": None,
                          "total_workers": 20, "n_young_workers": len(workers)},
        "employer": {"informed": informed, "informed_date": informed_on and f"{informed_on}-01",
                     "trained": "yes" if trained_on else "no", "trained_date": trained_on and f"{trained_on}-01"},
        "findings": {"violations": violations, "actions": actions, "fine_amount": fine},
    }
    if workers:
        values["young_worker"] = workers
    return odata("workplace_inspection", n, values, deleted_at=deleted_at)


def inspection_rows() -> list[dict]:
    return [
        inspection(1, "03-02", "enterprise", [
            worker("w1", 16, "male", work("factory_workshop", 10, 50, hazards="noise_vibration")),
            worker("w2", 17, "female", work("shop_restaurant", 8, 40, "shop_market", sector="services"))],
            "excess_hours no_minor_register", "warning fine", "yes", "2025-11", fine=15_000_000),
        inspection(2, "03-09", "household_business", [worker("w3", 13, "male", work("metal_work", 4, 20))],
                   "prohibited_work_place not_light_work no_written_contract", "fine", "yes", "2026-01",
                   fine=20_000_000),
        inspection(3, "03-16", "enterprise", [worker("w4", 15, "male", work("heavy_loads", 6, 30, "street"))],
                   "prohibited_work_place", "warning", "yes", "2026-02", trained_on="2026-02"),
        inspection(4, "03-23", "craft_village_workshop", [
            worker("w5", 14, "female", work("handicraft", 3, 15, "home")),
            worker("too old", 19, "male", work("handicraft", 3, 15, "home"))],
            "no_health_certificate", "advice"),
        inspection(5, "04-06", "farm", [worker("w7", 12, "male", work(
            "grazing", 2, 6, "family_farm", sector="agriculture_forestry_fishery"))],
            "under13_not_permitted", "fine", "yes", "2026-03", fine=5_000_000),
        inspection(6, "04-13", "enterprise", [
            worker("w8", 16, "female", work("factory_workshop", 6, 30, hazards="dust_fumes_gas"))],
            "prohibited_work_place", "warning", "yes", "2025-06", trained_on="2025-06"),
        inspection(7, "04-20", "cooperative", [
            worker("w9", 17, "male", work("construction_work", 8, 40, "construction_site"))],
            "prohibited_work_place", "fine", "dont_know", fine=10_000_000),
        inspection(8, "05-04", "cooperative", [], "none", "none", "yes", "2026-04"),
        inspection(9, "05-05", "farm", [], "none", "none", commune="99999"),
        inspection(10, "05-06", "enterprise", [worker("gone", 16, "male", work("heavy_loads", 8, 40))],
                   "prohibited_work_place", "fine", fine=1_000_000, deleted_at="2026-11-20T09:00:00.000Z"),
    ]


def household_rows() -> list[dict]:
    return [
        household(10, COMMUNE_B, PROVINCE_B, "02-10", [
            child("k1", 10, "female", household_work("vegetable_weeding_harvest", 2, 8,
                                                     sector="agriculture_forestry_fishery")),
            child("k2", 8, "male")]),
        household(11, COMMUNE_B, PROVINCE_B, "05-11", [
            child("k3", 16, "male", household_work("shop_restaurant", 4, 20, "shop_market"))]),
    ]


def subject_case_ids(key: str) -> dict[str, str]:
    """The case id each fixture subject must get, computed as the pipeline does from the pseudonym key."""
    p = Pseudonymizer(key)
    ids = {}
    for n, names in ((1, ["w1", "w2"]), (2, ["w3"]), (3, ["w4"]), (4, ["w5"]), (5, ["w7"]), (6, ["w8"]),
                     (7, ["w9"])):
        inspection_id = p.id("inspection", "workplace_inspection", odata("workplace_inspection", n, {})["__id"])
        for index, name in enumerate(names, start=1):
            ids[name] = case_id_of(p.id("young_worker", "workplace_inspection", inspection_id, index))
    for row, index, name in ((household_rows()[0], 1, "k1"), (household_rows()[1], 1, "k3")):
        household_id = p.id("household", "household_survey", row["__id"])
        ids[name] = case_id_of(p.id("child", "household_survey", household_id, index))
    return ids


# ---------------------------------------------------------------- case follow-up


def visit(n: int, case_id: str, day: str, support: str, status: str, *, first_support: str | None = None,
          job: dict | None = None, school: str = "attending", vocational: str = "no", age: int = 14,
          closure: str | None = None) -> dict:
    return odata("case_followup", n, {
        "case_id": case_id, "case_label": None, "prior_first_support": None, "visit_date": f"2026-{day}",
        "case_worker": "Lê Thị Hoa", "case_source": "inspection", "case_type": "child_labourer", "age": age,
        "econ_activity": "yes" if job else "no", "temp_absent": None if job else "no", "work": job or dict(NO_WORK),
        "chores_hours_week": 5, "school_status": school, "vocational_training": vocational, "support": support,
        "first_support_date": first_support and f"2026-{first_support}", "first_support": None,
        "case_status": status, "closure_reason": closure,
        "next_visit": None if status == "closed" else "2026-12-15",
    })


def visit_rows(cases: dict[str, str]) -> list[dict]:
    """The visits, given each subject's case id (``subject_case_ids``)."""
    return [
        visit(1, cases["w1"], "03-20", "education", "supported", first_support="03-20", age=16, school="dropped_out",
              job=work("factory_workshop", 10, 50, hazards="noise_vibration")),
        visit(2, cases["w1"], "06-15", "education", "monitoring", age=16),
        visit(3, cases["w2"], "04-01", "vocational_training", "monitoring", first_support="04-01", age=17,
              school="dropped_out", vocational="yes", job=work("shop_restaurant", 8, 40, "shop_market")),
        visit(4, cases["w3"], "04-09", "legal", "supported", first_support="04-09", age=13),
        visit(5, cases["w4"], "03-20", "none", "open", age=15, job=work("heavy_loads", 6, 30, "street")),
        visit(6, cases["w4"], "04-10", "health", "supported", first_support="04-08", age=15, school="dropped_out"),
        visit(7, cases["w5"], "04-02", "education", "closed", first_support="03-30", closure="no_longer_working"),
        visit(8, cases["w7"], "04-20", "education social_assistance", "closed", first_support="04-15", age=12,
              closure="no_longer_working"),
        visit(9, cases["w8"], "05-01", "psychosocial", "supported", first_support="05-01", age=16,
              school="dropped_out", vocational="yes", job=work("factory_workshop", 6, 30, hazards="dust_fumes_gas")),
        visit(10, cases["k1"], "02-20", "education", "monitoring", first_support="02-20", age=10),
        visit(11, cases["k3"], "06-01", "none", "open", age=16, job=work("shop_restaurant", 4, 20, "shop_market")),
        visit(12, "7b1f3c9e-0000-4000-8000-000000000000", "06-02", "education", "open"),
        visit(13, "C-7K3Q9", "06-03", "education", "open"),
    ]


# ---------------------------------------------------------------- activity reports


def reach(audiences: dict[str, tuple]) -> dict:
    """``reached/…`` answers from ``{audience: (reached, new[, new_trained])}``."""
    out = {}
    for audience, counts in audiences.items():
        out[audience], out[f"{audience}_new"] = counts[0], counts[1]
        out[f"{audience}_new_trained"] = counts[2] if len(counts) > 2 else None
    return out


def activity(n: int, day: str, kind: str, male, female, total, audiences: dict[str, tuple]) -> dict:
    return odata("activity_report", n, {
        "activity_date": f"2026-{day}", "reporter": "Phạm Văn Báo Cáo", "activity_type": kind,
        "title": f"Hoạt động {n}", "topics": "child_labour_law hazardous_work",
        "location": {"province": PROVINCE_A, "commune": COMMUNE_A, "venue": "Nhà văn hoá phường"},
        "organiser_type": "commune_committee", "organiser_name": "UBND phường", "audience_groups": " ".join(audiences),
        "participants": {"male": male, "female": female, "total": total, "new": total // 2,
                         "participant_list": "danh-sach.pdf"},
        "reached": reach(audiences),
    })


def activity_rows() -> list[dict]:
    return [
        activity(1, "03-05", "school_activity", 200, 230, 430, {"teachers_staff": (30, 25), "children": (400, 380)}),
        activity(2, "06-10", "communication_event", 70.0, 90.0, 160.0,
                 {"parents_caregivers": (60.0, 50.0), "children": (100.0, 40.0)}),
        activity(3, "09-15", "training_course", 35, 25, 60, {
            "provincial_district_officials": (30, 20, 24), "teachers_staff": (20, 5, 15), "enterprises": (10, 8, 10)}),
        activity(4, "10-01", "workshop", 10, 10, 25, {"commune_officials": (5, 5)}),
        record(5, "06-12", "media_broadcast", media={"broadcast_channel": "commune_radio", "airings": 8,
                                                      "estimated_reach": 3000, "reach_basis": "households_covered"},
               campaign="world_day"),
        record(6, "06-20", "materials_distribution", media={"material": "leaflets", "copies": 5000}),
        {**activity(7, "07-01", "campaign_launch", 12, 8, 20, {"youth_pioneer_cadres": (12, 12),
                                                                "volunteers": (8, 8)}), "campaign": "vi_dan_em"},
        record(8, "07-15", "pledge_signing", pledge={"pledge_signer": "craft_village_households",
                                                     "pledges_signed": 20}),
        record(9, "08-01", "supervision_visit", supervision={"supervisor_level": "provincial", "issues_found": "yes"}),
        record(10, "08-20", "parent_sanction", sanction={
            "sanctioned_people": 2, "sanction_kinds": "warning fine", "fines_vnd": 3_000_000,
            "sanction_agency": "commune_committee"}),
        record(11, "08-25", "media_broadcast", media={"broadcast_channel": "social_media", "airings": 2,
                                                       "estimated_reach": 12000}),
    ]


def record(n: int, day: str, kind: str, campaign: str = "no_campaign", **groups: dict) -> dict:
    """A report without an audience: no participants, the type's own group answered."""
    return odata("activity_report", n, {
        "activity_date": f"2026-{day}", "reporter": "Phạm Văn Báo Cáo", "activity_type": kind, "campaign": campaign,
        "title": f"Hoạt động {n}", "topics": "child_labour_law",
        "location": {"province": PROVINCE_A, "commune": COMMUNE_A, "venue": None},
        "organiser_type": "commune_committee", "organiser_name": "UBND phường", **groups,
    })
