"""Deterministic demo data of the programme forms, in ODK Central's OData shape: workplace inspections, activity
reports, and follow-up visits to the cases the pipeline identified.

Same communes and period as the household-survey demo (``connectors.demo``). Inspections find young workers in
some establishments, a share of them in child labour, with the violations, warnings and fines that go with it.
Activity reports cover every audience group, each quarter of 2025–2026, in every demo province, and each year every
kind of report without an audience (each medium and material, pledges, supervision visits, parent sanctions) and
every campaign, contest and consultation (:func:`record_rows`). Visits exist only
for real cases, so :func:`visit_rows` is given the open cases of the register; each case's visits are a function
of the seed and the case alone (the same on every run), with first supports now in time and now late, and some
cases closed. A small share of rows is deleted on the server or has a bad answer that must end in quarantine. One
commune reports a quarter's activities late and one not at all (``FAULTY_QUARTER``).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta, timezone
from typing import Protocol

from connectors.demo import DAYS, FIRST_DAY, GIVEN, SURNAMES, _uuid
from connectors.records import utc_stamp

FORM_VERSION = "2026112301"
RECORDS_VERSION = "2026120702"  # the activity report's version with every kind of activity and its organiser
INSPECTING_AGENCIES = {"labour_inspectorate": 0.4, "joint_commune_team": 0.3, "agriculture": 0.15, "police": 0.1,
                       "joint_provincial_team": 0.05}
LAST_DAY = FIRST_DAY + timedelta(days=DAYS)
CASE_SOURCES = ("household_survey", "inspection", "hotline_111", "school", "police", "community")
ACTIVITY_YEARS = (2025, 2026)
WORK = ("work_kind", "performance_approved", "workplace", "sector", "hours_day", "hours_week", "night_work",
        "overtime", "hazards")
ESTABLISHMENTS = {"enterprise": 0.35, "household_business": 0.25, "craft_village_workshop": 0.15,
                  "cooperative": 0.1, "farm": 0.15}
# A young worker's job: (work kind, workplace, sector, hours a day, hours a week, hazards, youngest, oldest, vn_law
# child labour, violation an inspector records for it)
JOBS = [
    ("handicraft", "home", "industry_construction", 3, 15, "none", 13, 14, False, None),
    ("shop_restaurant", "shop_market", "services", 8, 40, "none", 15, 17, False, None),
    ("factory_workshop", "workshop_factory", "industry_construction", 10, 54, "noise_vibration", 15, 17, True,
     "excess_hours"),
    ("heavy_loads", "construction_site", "industry_construction", 8, 44, "heavy_loads", 15, 17, True,
     "prohibited_work_place"),
    ("metal_work", "workshop_factory", "industry_construction", 6, 30, "fire_heat_cold", 13, 17, True,
     "prohibited_work_place"),
    ("factory_workshop", "workshop_factory", "industry_construction", 5, 28, "none", 13, 14, True, "not_light_work"),
    ("grazing", "family_farm", "agriculture_forestry_fishery", 3, 12, "none", 11, 12, True, "under13_not_permitted"),
]


class OpenCase(Protocol):
    """What :func:`visit_rows` reads of a case (``warehouse.cases.case_register.open_cases`` rows have it)."""

    case_id: str
    identified_source: str
    identified_on: date
    case_type: str
    age_band: str


def odata_row(values: dict, instance: str, submitted: datetime, *, deleted_at: str | None = None,
              version: str = FORM_VERSION) -> dict:
    """``values`` as ODK Central serves a submission (``$expand=*``), filled with form ``version``."""
    row = {**values, "meta": {"instanceID": instance, "instanceName": None}, "__id": instance, "__system": {
        "submissionDate": utc_stamp(submitted), "updatedAt": None, "submitterId": "7",
        "submitterName": "demo-collector", "attachmentsPresent": 0, "attachmentsExpected": 0, "status": None,
        "reviewState": None, "deviceId": None, "edits": 0, "formVersion": version, "deletedAt": deleted_at}}
    for name, value in values.items():
        if isinstance(value, list):
            row[f"{name}@odata.navigationLink"] = f"Submissions('{instance.replace(':', '%3A')}')/{name}"
    return row


def _submitted(rng: random.Random, day: date) -> datetime:
    return datetime.combine(day, time(10), timezone.utc) + timedelta(days=rng.choice([0, 0, 1, 2]),
                                                                     seconds=rng.randrange(30000))


def _name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"


# ---------------------------------------------------------------- inspections


def inspection_rows(communes: list[tuple[str, str, float]], inspections: int, seed: int) -> Iterator[dict]:
    """``inspections`` rows over the demo period, the same for the same arguments."""
    for n in range(inspections):
        commune, province, propensity = communes[n % len(communes)]
        yield _inspection(random.Random(f"inspection:{seed}:{n}"), commune, province, propensity)


def _inspection(rng: random.Random, commune: str, province: str, propensity: float) -> dict:
    day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
    kind = rng.choices(list(ESTABLISHMENTS), list(ESTABLISHMENTS.values()))[0]
    total = rng.randint(2, 12) if kind in ("household_business", "farm") else rng.randint(8, 250)
    n_young = min(total, rng.choices([0, 1, 2, 3], [0.5, 0.3, 0.15, 0.05])[0])
    workers, violations = [], set()
    for _ in range(n_young):
        worker, found = _young_worker(rng, day, propensity)
        workers.append(worker)
        violations |= found
    actions = _actions(rng, violations)
    informed = rng.choices(["yes", "no", "dont_know"], [0.45, 0.5, 0.05])[0]
    trained = "yes" if informed == "yes" and rng.random() < 0.4 else "no"
    values = {
        "inspection_date": day.isoformat(), "inspector": _name(rng),
        "inspection_kind": rng.choices(["periodic", "surprise", "follow_up"], [0.5, 0.35, 0.15])[0],
        "inspecting_agency": _agency(day, commune, kind),
        "location": {"province": province, "commune": commune,
                     "gps": f"{9 + rng.random() * 13:.6f} {104 + rng.random() * 3:.6f} 10 6"},
        "establishment": {
            "establishment_type": kind, "establishment_name": f"Cơ sở {_name(rng)}",
            "enterprise_size": rng.choices(["micro", "small", "medium", "large"], [0.4, 0.35, 0.2, 0.05])[0]
            if kind == "enterprise" else None,
            "establishment_sector": "agriculture_forestry_fishery" if kind == "farm" else rng.choice(
                ["industry_construction", "industry_construction", "services"]),
            "craft_village": "yes" if kind == "craft_village_workshop" else "no",
            "craft_village_name": "Làng nghề Bát Tràng" if kind == "craft_village_workshop" else None,
            "total_workers": total, "n_young_workers": n_young,
        },
        "employer": {"informed": informed, "informed_date": _month_before(rng, day) if informed == "yes" else None,
                     "trained": trained, "trained_date": _month_before(rng, day) if trained == "yes" else None},
        "findings": {"violations": " ".join(sorted(violations)) or "none", "actions": " ".join(actions),
                     "fine_amount": rng.randrange(4, 150) * 500_000 if "fine" in actions else None},
    }
    if workers:
        values["young_worker"] = workers
    fate = rng.random()
    if fate < 0.01:
        values["location"]["commune"] = "99999"
    elif fate < 0.02 and workers:
        workers[0].update(dob_known="no", dob=None, age_stated=19, age=19)
    submitted = _submitted(rng, day)
    deleted = utc_stamp(submitted + timedelta(days=5)) if fate > 0.98 else None
    return odata_row(values, _uuid(rng), submitted, deleted_at=deleted)


def _agency(day: date, commune: str, kind: str) -> str:
    """Who inspected: agriculture on farms, else drawn on its own (the inspection's draws stay as they were)."""
    if kind == "farm":
        return "agriculture"
    rng = random.Random(f"agency:{day}:{commune}")
    return rng.choices(list(INSPECTING_AGENCIES), list(INSPECTING_AGENCIES.values()))[0]


def _young_worker(rng: random.Random, day: date, propensity: float) -> tuple[dict, set[str]]:
    """A worker under 18 and the employer-side violations the inspector records for them."""
    harmful = rng.random() < min(0.85, 6 * propensity + 0.2)
    kind, place, sector, hours_day, hours_week, hazards, youngest, oldest, _, violation = rng.choice(
        [job for job in JOBS if job[8] == harmful])
    age = rng.randint(youngest, oldest)
    dob = day - timedelta(days=int(age * 365.25) + rng.randrange(300))
    dob_known = rng.random() < 0.5
    in_register = rng.random() < 0.6
    under_15 = age < 15
    papers = {k: ("yes" if rng.random() < 0.4 else "no") if under_15 else None
              for k in ("contract_signed", "health_certificate", "health_checkups")}
    found = {violation} if violation else set()
    found |= {"no_minor_register"} if not in_register else set()
    found |= {"no_written_contract"} if papers["contract_signed"] == "no" else set()
    found |= {"no_health_certificate"} if papers["health_certificate"] == "no" else set()
    worker = {
        "worker_name": _name(rng), "sex": rng.choice(["male", "female"]), "dob_known": "yes" if dob_known else "no",
        "dob": dob.isoformat() if dob_known else None, "age_stated": None if dob_known else age, "age": age,
        "work": {"work_kind": kind, "performance_approved": None, "workplace": place, "sector": sector,
                 "hours_day": hours_day, "hours_week": hours_week,
                 "night_work": "yes" if harmful and rng.random() < 0.1 else "no", "overtime": "no",
                 "hazards": hazards},
        "in_register": "yes" if in_register else "no", **papers,
    }
    return worker, found


def _actions(rng: random.Random, violations: set[str]) -> list[str]:
    if not violations:
        return [rng.choice(["none", "none", "advice"])]
    return rng.choices([["advice"], ["warning"], ["fine"], ["warning", "fine"], ["fine", "police_referral"]],
                       [0.25, 0.3, 0.3, 0.12, 0.03])[0]


def _month_before(rng: random.Random, day: date) -> str:
    back = rng.randrange(0, 24)
    year, month = divmod(day.year * 12 + day.month - 1 - back, 12)
    return date(year, month + 1, 1).isoformat()


# ---------------------------------------------------------------- activity reports

# per quarter and province: (activity type, audience groups, participants range, how many)
ACTIVITIES = [
    ("school_activity", ("teachers_staff", "children"), (800, 3000), 6),
    ("workshop", ("teachers_staff",), (200, 900), 2),
    ("communication_event", ("parents_caregivers", "children"), (500, 3000), 3),
    ("community_meeting", ("parents_caregivers", "commune_officials"), (60, 300), 3),
    ("training_course", ("provincial_district_officials", "child_protection_staff"), (25, 60), 1),
    ("training_course", ("commune_officials", "child_protection_staff"), (30, 80), 1),
    ("workshop", ("enterprises", "cooperatives", "craft_village_households"), (80, 250), 2),
    ("training_course", ("enterprises", "cooperatives", "craft_village_households"), (20, 60), 1),
]
SHARES = {"teachers_staff": 0.05, "children": 0.95, "parents_caregivers": 0.8, "commune_officials": 0.2,
          "provincial_district_officials": 0.7, "child_protection_staff": 0.3, "enterprises": 0.5,
          "cooperatives": 0.2, "craft_village_households": 0.3, "youth_pioneer_cadres": 0.2, "media_staff": 0.2,
          "labour_inspectors": 0.3, "trainers": 0.2, "volunteers": 0.3}


def activity_rows(communes: list[tuple[str, str, float]], seed: int) -> Iterator[dict]:
    """Every quarter of 2025–2026 up to the end of the demo period, in every demo province: each audience group."""
    provinces: dict[str, list[str]] = {}
    for commune, province, _ in communes:
        provinces.setdefault(province, []).append(commune)
    for year in ACTIVITY_YEARS:
        for quarter in range(4):
            start = date(year, 3 * quarter + 1, 1)
            for province, province_communes in provinces.items():
                for index, (kind, audiences, size, count) in enumerate(ACTIVITIES):
                    for k in range(count):
                        rng = random.Random(f"activity:{seed}:{year}:{quarter}:{province}:{index}:{k}")
                        day = start + timedelta(days=rng.randrange(90))
                        if day <= LAST_DAY:
                            row = _activity(rng, day, province, rng.choice(province_communes), kind, audiences, size)
                            if sent := _as_sent(row):
                                yield sent
    yield from filter(None, map(_as_sent, record_rows(provinces, seed)))


# The demo's reporting faults (warehouse/reference/demo/expected_reporting_demo.csv: a quarter's activity report
# is due 15 days after it ends): Phường Ngọc Hà sends its reports of 2026-Q2 after the deadline, Phường Giảng Võ
# sends none.
FAULTY_QUARTER = (date(2026, 4, 1), date(2026, 6, 30))
LATE_COMMUNE, SENT_LATE_ON = "00008", datetime(2026, 7, 20, 3, tzinfo=timezone.utc)
MISSING_COMMUNE = "00025"


def _as_sent(row: dict) -> dict | None:
    """An activity report as its commune sends it (``None``: never sent)."""
    if FAULTY_QUARTER[0] <= date.fromisoformat(row["activity_date"]) <= FAULTY_QUARTER[1]:
        if row["location"]["commune"] == MISSING_COMMUNE:
            return None
        if row["location"]["commune"] == LATE_COMMUNE:
            row["__system"]["submissionDate"] = utc_stamp(SENT_LATE_ON)
    return row


def _activity(rng: random.Random, day: date, province: str, commune: str, kind: str, audiences: tuple[str, ...],
              size: tuple[int, int]) -> dict:
    total = rng.randint(*size)
    reached, fresh = {}, 1 - (day.month - 1) / 16  # later in the year, more have been reached before
    for audience in audiences:
        count = max(1, round(total * SHARES[audience] / sum(SHARES[a] for a in audiences)))
        new = round(count * fresh * rng.uniform(0.6, 1.0))
        reached |= {audience: count, f"{audience}_new": new,
                    f"{audience}_new_trained": rng.randint(new, count) if kind == "training_course" else None}
    total = max(total, max(reached[a] for a in audiences))
    male = rng.randint(total // 3, 2 * total // 3)
    female = total - male
    if rng.random() < 0.015:
        female += 3  # a sum that does not add up: quarantined
    values = {
        "activity_date": day.isoformat(), "reporter": _name(rng), "activity_type": kind,
        "title": f"{kind.replace('_', ' ').capitalize()} phòng, chống lao động trẻ em",
        "topics": " ".join(sorted(rng.sample(["child_labour_law", "hazardous_work", "detection_support",
                                              "child_rights", "education_vocational", "trafficking"], 2))),
        "location": {"province": province, "commune": commune, "venue": "Hội trường UBND"},
        "organiser_type": rng.choice(["commune_committee", "provincial_agency", "school", "mass_organisation"]),
        "organiser_name": "UBND", "audience_groups": " ".join(audiences),
        "participants": {"male": male, "female": female, "total": total,
                         "new": min(total, sum(reached[f"{a}_new"] for a in audiences)),
                         "participant_list": "danh-sach.pdf" if rng.random() < 0.6 else None},
        "reached": reached,
    }
    return odata_row(values, _uuid(rng), _submitted(rng, day))


# per year and province: (activity type, campaign, the type's own answers, audience groups with participants)
RECORDS = [
    *(("media_broadcast", "action_month", {"media": {"broadcast_channel": channel, "airings": airings}}, ())
      for channel, airings in (("commune_radio", 12), ("district_radio", 4), ("mobile_loudspeaker", 6),
                               ("television", 2), ("newspaper", 3), ("provincial_portal", 5), ("social_media", 9))),
    *(("materials_distribution", "no_campaign", {"media": {"material": material, "copies": copies}}, ())
      for material, copies in (("leaflets", 2000), ("booklets", 300), ("posters", 150), ("banners", 40),
                               ("panels", 4))),
    ("campaign_launch", "vi_dan_em", {}, ("youth_pioneer_cadres", "children")),
    ("contest_performance", "world_day", {}, ("children", "parents_caregivers")),
    ("child_consultation", "other_campaign", {}, ("children",)),
    ("training_course", "no_campaign", {}, ("media_staff", "labour_inspectors", "trainers", "volunteers")),
    ("pledge_signing", "no_campaign", {"pledge": {"pledge_signer": "craft_village_households", "pledges_signed": 35}},
     ()),
    ("supervision_visit", "no_campaign", {"supervision": {"supervisor_level": "provincial", "issues_found": "yes"}},
     ()),
    ("parent_sanction", "no_campaign", {"sanction": {"sanctioned_people": 2, "sanction_kinds": "warning fine",
                                                     "fines_vnd": 2_000_000, "sanction_agency": "commune_committee"}},
     ()),
]
# who organised a record, and at which level (organiser_type, mass organisation, organiser_level): the Youth Union
# launches "Vì đàn em thân yêu" at the province and holds the contests in a commune; the commune committee the rest
ORGANISERS = {"campaign_launch": ("mass_organisation", "youth_union", "provincial"),
              "contest_performance": ("mass_organisation", "youth_union", "commune")}
COMMITTEE = ("commune_committee", None, "commune")
# what an estimate of a medium's reach rests on, by the report's own group
REACH_BASIS = {"broadcast_channel": "households_covered", "material": "copies_handed_out"}
ABSENT_GROUPS = ("participants", "reached", "media", "sanction", "pledge", "supervision")


def record_rows(provinces: dict[str, list[str]], seed: int) -> Iterator[dict]:
    """Each year and province, one report of each kind in :data:`RECORDS`, filled with form version
    :data:`RECORDS_VERSION`: a group the type does not ask is absent, as Central serves it (all null)."""
    for year in ACTIVITY_YEARS:
        for province, province_communes in provinces.items():
            for index, (kind, campaign, answers, audiences) in enumerate(RECORDS):
                rng = random.Random(f"record:{seed}:{year}:{province}:{index}")
                day = date(year, 6, 1) + timedelta(days=rng.randrange(120))
                if day <= LAST_DAY:
                    yield _record(rng, day, province, rng.choice(province_communes), kind, campaign, answers,
                                  audiences)


def _record(rng: random.Random, day: date, province: str, commune: str, kind: str, campaign: str, answers: dict,
            audiences: tuple[str, ...]) -> dict:
    if audiences:
        base = _activity(rng, day, province, commune, kind, audiences, (40, 200))
        values = {k: v for k, v in base.items() if k not in ("meta", "__id", "__system")}
    else:
        values = {"activity_date": day.isoformat(), "reporter": _name(rng), "activity_type": kind,
                  "title": f"{kind.replace('_', ' ').capitalize()} phòng, chống lao động trẻ em",
                  "topics": "child_labour_law", "location": {"province": province, "commune": commune, "venue": None},
                  "organiser_type": "commune_committee", "organiser_name": "UBND", "audience_groups": None}
    organiser, organisation, level = ORGANISERS.get(kind, COMMITTEE)
    values |= {"has_audience": "yes" if audiences else "no", "campaign": campaign, "organiser_type": organiser,
               "organisation": organisation, "organiser_level": level}
    values |= {group: dict.fromkeys(_GROUP_FIELDS[group]) for group in ABSENT_GROUPS if group not in values}
    for group, fields in answers.items():
        values[group] = {**values[group], **fields}
    media = values["media"]
    for field, basis in REACH_BASIS.items():
        if media.get(field):
            media |= {"estimated_reach": rng.randrange(5, 50) * 100, "reach_basis": basis}
    return odata_row(values, _uuid(rng), _submitted(rng, day), version=RECORDS_VERSION)


_GROUP_FIELDS = {
    "participants": ("male", "female", "total", "new", "participant_list"),
    "reached": (),
    "media": ("broadcast_channel", "airings", "material", "copies", "estimated_reach", "reach_basis"),
    "sanction": ("sanctioned_people", "sanction_kinds", "fines_vnd", "sanction_agency"),
    "pledge": ("pledge_signer", "pledges_signed"),
    "supervision": ("supervisor_level", "issues_found"),
}


# ---------------------------------------------------------------- case follow-up visits


def visit_rows(cases: Iterable[OpenCase], seed: int) -> Iterator[dict]:
    """Each case's visits up to the end of the demo period: a function of the seed and the case only."""
    for case in cases:
        yield from _visits(random.Random(f"visits:{seed}:{case.case_id}"), case)


def _visits(rng: random.Random, case: OpenCase) -> Iterator[dict]:
    low, high = (int(a) for a in case.age_band.split("-"))
    age = rng.randint(max(low, 8), high)
    working = case.case_type == "child_labourer" or age >= 13 and rng.random() < 0.3
    first_support: date | None = None
    state = "screened"
    day = case.identified_on + timedelta(days=rng.choices([4, 9, 14, 21, 27, 38, 50], [2, 3, 3, 2, 2, 1, 1])[0])
    for number in range(1, 7):
        if day > LAST_DAY:
            return
        support = rng.sample(["education", "vocational_training", "health", "psychosocial", "social_assistance",
                              "livelihood"], rng.choice([1, 1, 2])) if rng.random() < 0.8 else ["none"]
        first_support_date = None
        if first_support is None and support != ["none"]:
            first_support = first_support_date = max(case.identified_on, day - timedelta(days=rng.choice([0, 0, 3])))
        working = working and rng.random() < (0.7 if number == 1 else 0.45)
        comes_of_age = number >= 2 and age == 17 and rng.random() < 0.25
        closure = "turned_18" if comes_of_age else "no_longer_working" if (
            number >= 2 and not working and rng.random() < 0.2) else None
        status = "closed" if closure else "monitoring" if number >= 2 else "supported" if first_support else "open"
        state = _state(state, status, support)
        row = _visit(rng, case, day, 18 if comes_of_age else age, working, support, first_support_date, status,
                     closure)
        yield odata_row(row | _workflow(random.Random(f"workflow:{case.case_id}:{number}"), day, state, support,
                                        number), _uuid(rng), _submitted(rng, day))
        if closure:
            return
        day += timedelta(days=rng.randint(30, 90))


def _state(before: str, status: str, support: list[str]) -> str:
    """The step after a visit, one the workflow allows after ``before``: assessed at a first visit without
    support, then the plan; services once supported; follow-up after services."""
    if status == "closed":
        return "closed"
    if before in ("services", "follow_up"):
        return "follow_up"
    if support != ["none"]:
        return "services"
    return "assessed" if before == "screened" else "plan"


def _workflow(rng: random.Random, day: date, state: str, support: list[str], number: int) -> dict:
    """The visit's assessment, plan, services and closure sign-off (their own random stream, so that the visits'
    other answers are those of the demo before these questions)."""
    services = [] if support == ["none"] else [{
        "service_type": kind, "provider": PROVIDERS.get(kind, "commune_committee"), "provider_name": None,
        "referred_date": (day - timedelta(days=rng.choice([0, 3, 7]))).isoformat(),
        "service_outcome": (outcome := rng.choices(["received", "waiting", "refused"], [6, 3, 1])[0]),
        "received_date": day.isoformat() if outcome == "received" else None,
    } for kind in support]
    closed = state == "closed"
    return {
        "case_state": state, "assessment_done": "yes" if number == 1 else "no",
        "assessment": {"risk_level": rng.choice(["high", "medium", "low", "low"]),
                       "needs": " ".join(sorted(support)) if support != ["none"] else "education"} if number == 1
        else None,
        "plan_approved": "yes" if state in ("plan", "services") and number <= 2 else "no",
        "plan": {"plan_date": day.isoformat(), "plan_review_date": (day + timedelta(days=90)).isoformat()}
        if state in ("plan", "services") and number <= 2 else None,
        "n_services": len(services), "service": services,
        "supervisor_name": _name(rng) if closed else None, "supervisor_signoff": "yes" if closed else None,
        "signoff_date": day.isoformat() if closed else None,
    }


PROVIDERS = {"education": "school", "vocational_training": "vocational_centre", "health": "health_facility",
             "psychosocial": "social_work_centre", "social_assistance": "commune_committee",
             "livelihood": "social_policy_bank"}


def _case_source(identified_source: str) -> str:
    """The follow-up form's ``case_source`` of a case's source (a report from a channel the form does not list:
    ``community``)."""
    return identified_source if identified_source in CASE_SOURCES else "community"


def _visit(rng: random.Random, case: OpenCase, day: date, age: int, working: bool, support: list[str],
           first_support_date: date | None, status: str, closure: str | None) -> dict:
    if working and case.case_type == "child_labourer":
        job = JOBS[6] if age < 13 else JOBS[5] if age < 15 else JOBS[3]
    else:
        job = JOBS[0] if age < 15 else JOBS[1]
    kind, place, sector, hours_day, hours_week, hazards = job[:6]
    work = dict.fromkeys(WORK)
    if working:
        work |= {"work_kind": kind, "workplace": place, "sector": sector, "hours_day": hours_day,
                 "hours_week": hours_week, "night_work": "no", "overtime": "no", "hazards": hazards}
    school = "attending" if rng.random() < (0.55 if working else 0.85) else "dropped_out"
    return {
        "case_id": case.case_id, "case_label": None, "prior_first_support": None, "visit_date": day.isoformat(),
        "case_worker": _name(rng), "case_source": _case_source(case.identified_source), "case_type": case.case_type,
        "age": age,
        "econ_activity": "yes" if working else "no", "temp_absent": None if working else "no", "work": work,
        "chores_hours_week": rng.randint(2, 14), "school_status": school,
        "vocational_training": "yes" if age >= 15 and school != "attending" and rng.random() < 0.5 else "no",
        "support": " ".join(sorted(support)),
        "first_support_date": first_support_date.isoformat() if first_support_date else None,
        "first_support": first_support_date.isoformat() if first_support_date else None,
        "case_status": status,
        "closure_reason": closure,
        "next_visit": None if closure else (day + timedelta(days=rng.randint(30, 60))).isoformat(),
    }
