"""Deterministic demo data: household-survey submissions in the ODK Central OData shape (``$expand=*``).

Realistic enough to exercise the whole pipeline without a server: a dozen communes in four provinces
(or every commune of the country, :func:`national_communes`) with different child-labour rates, about
1.8 children per household, some edited, approved and deleted submissions, and a small share of bad rows
(unknown commune, age out of range, impossible hours, missing answers, a future interview date) that must
end in quarantine.

Every household is interviewed in a village of a survey round (``location/sampling_unit``, ``round:unit``): a
stratified two-stage sample (strata province × urban/rural, villages as primary units drawn with the
probabilities of :func:`demo_sample_frame`) in each year, except Phường Long Xuyên (An Giang) where a "rà soát" census
lists every household.

Scales to national size: row ``n`` depends only on ``(seed, n)`` (:func:`household_row`), so rows are
streamed (:func:`household_rows` holds one at a time) and a server can render any page on demand; the
system fields of a row (:func:`row_system`) are drawn first and cost a fraction of the whole row.
"""

from __future__ import annotations

import copy
import csv
import random
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from connectors.forms import HOUSEHOLD_BACK_CHECK, HOUSEHOLD_SURVEY
from connectors.records import utc_stamp

FORM_ID = HOUSEHOLD_SURVEY
FORM_VERSION = "2026112301"
DEMO_PROVINCES = {"01": 0.006, "20": 0.07, "33": 0.035, "91": 0.055}  # code → base child-labour propensity
COMMUNES_PER_PROVINCE = 3
FIRST_DAY = date(2025, 7, 1)
TEAM = 3  # enumerators per commune
VIETNAM = timezone(timedelta(hours=7))
FAST_ENUMERATOR = "Lò Văn Nhanh"  # the faults planted for the data-quality checks (_plant_faults)
TOO_FAST_ROWS = (3, 15, 27)
DUPLICATE_ROWS = (48, 0)  # (the second interview, the first)
OUTLIER_ROW = 5
BACK_CHECK_FORM_ID, BACK_CHECK_VERSION = HOUSEHOLD_BACK_CHECK, "2026120601"
BACK_CHECK_EVERY = 25  # households back-checked: rows 0, 25, 50 …
BACK_CHECK_DISAGREES = 50  # the one whose back-check disagrees (household size)
DAYS = 500
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Linh", "Minh", "Nam", "Ngọc",
         "Phúc", "Quân", "Thảo", "Trang", "Tuấn", "Vy"]
VILLAGES = ["Thôn 1", "Thôn 2", "Ấp Mỹ Hòa", "Bản Nà Phặc", "Tổ dân phố 5", "Xóm Đông"]
UNITS_PER_COMMUNE = 4  # villages of a commune in the survey: the first ones of VILLAGES
CENSUS_COMMUNE = "30307"  # Phường Long Xuyên, An Giang: counted by a census (rà soát), not sampled
SAMPLE_ROUND, CENSUS_ROUND = "DT{year}", "RS{year}"  # one round a year of each kind
LIGHT = ["traditional_craft", "handicraft", "weaving_natural", "food_wrapping", "vegetable_weeding_harvest",
         "grazing", "fishing_nets_drying_fish", "sericulture"]
OTHER = ["crop_farming", "livestock_care", "fishing_aquaculture", "street_vending", "lottery_selling",
         "domestic_work", "shop_restaurant", "factory_workshop"]
PROHIBITED = ["heavy_loads", "chemicals_explosives", "machine_maintenance", "metal_work", "diving_offshore_fishing"]
HAZARDS = ["dust_fumes_gas", "fire_heat_cold", "noise_vibration", "dangerous_tools", "heights",
           "chemicals_pesticides", "heavy_loads"]
SECTOR_OF = {"crop_farming": "agriculture_forestry_fishery", "livestock_care": "agriculture_forestry_fishery",
             "fishing_aquaculture": "agriculture_forestry_fishery", "grazing": "agriculture_forestry_fishery",
             "vegetable_weeding_harvest": "agriculture_forestry_fishery", "sericulture": "agriculture_forestry_fishery",
             "fishing_nets_drying_fish": "agriculture_forestry_fishery",
             "diving_offshore_fishing": "agriculture_forestry_fishery", "factory_workshop": "industry_construction",
             "metal_work": "industry_construction", "machine_maintenance": "industry_construction",
             "chemicals_explosives": "industry_construction", "heavy_loads": "industry_construction",
             "traditional_craft": "industry_construction", "handicraft": "industry_construction",
             "weaving_natural": "industry_construction"}


def demo_communes(communes_csv: Path) -> list[tuple[str, str, float]]:
    """(commune code, province code, propensity) for the first communes of each demo province."""
    picked: dict[str, list[str]] = {code: [] for code in DEMO_PROVINCES}
    with open(communes_csv, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            chosen = picked.get(row["province"])
            if chosen is not None and len(chosen) < COMMUNES_PER_PROVINCE:
                chosen.append(row["name"])
    return [(commune, province, DEMO_PROVINCES[province] * (0.6 + 0.4 * i))
            for province, communes in picked.items() for i, commune in enumerate(communes)]


def national_communes(communes_csv: Path) -> list[tuple[str, str, float]]:
    """Every commune of the official list, with a child-labour propensity per province (0.5 %–7.5 %)."""
    with open(communes_csv, encoding="utf-8", newline="") as f:
        return [(row["name"], row["province"], DEMO_PROVINCES.get(row["province"],
                                                                   0.005 + 0.07 * (int(row["province"]) * 37 % 100) / 100))
                for row in csv.DictReader(f)]


def household_rows(communes: list[tuple[str, str, float]], households: int, seed: int,
                   start: int = 0) -> Iterator[dict]:
    """Rows ``start`` … ``start + households - 1``, one at a time; the same for the same arguments."""
    for n in range(start, start + households):
        yield household_row(communes, n, seed)


def household_row(communes: list[tuple[str, str, float]], n: int, seed: int, *,
                  submitted: datetime | None = None) -> dict:
    """Row ``n`` alone. ``submitted`` makes it a fresh submission arriving at that moment (no later edit,
    review or deletion), as a server receives new rows after a sync."""
    commune, province, propensity = communes[n % len(communes)]
    row = _row(_rng(seed, n), commune, province, propensity, submitted)
    if row["location"]["commune"] == commune:  # consenting and not spoiled: its village is a sampling unit
        village = (n // len(communes)) % UNITS_PER_COMMUNE
        rounds = CENSUS_ROUND if commune == CENSUS_COMMUNE else SAMPLE_ROUND
        row["location"]["village"] = VILLAGES[village]
        row["location"]["sampling_unit"] = f"{rounds.format(year=row['interview_date'][:4])}:{_unit(commune, village)}"
    _field_work(row, communes, n, seed)
    return row


def _field_work(row: dict, communes: list[tuple[str, str, float]], n: int, seed: int) -> None:
    """Who did interview ``n`` (one of its commune's team of ``TEAM`` enumerators) and when (the form's ``start`` and
    ``end``, on the interview day in Viet Nam's time), drawn from a stream of their own, so that every other answer
    is the one drawn before; then the data-quality faults planted in a few rows (:func:`_plant_faults`)."""
    rng = random.Random(f"field-work|{seed}|{n}")
    commune, member = n % len(communes), rng.randrange(TEAM)
    given = GIVEN[(commune // len(SURNAMES) * TEAM + member) % len(GIVEN)]
    row["enumerator"] = f"{SURNAMES[commune % len(SURNAMES)]} {given}"
    day = date.fromisoformat(row["interview_date"])
    start = datetime(day.year, day.month, day.day, 7, 30, tzinfo=VIETNAM) + timedelta(seconds=rng.randrange(9 * 3600))
    minutes = (rng.uniform(15, 40) + 4 * len(row.get("child") or []) if row["consent"] == "yes"
               else rng.uniform(2, 6))
    row["start"] = start.isoformat(timespec="milliseconds")
    row["end"] = (start + timedelta(minutes=minutes)).isoformat(timespec="milliseconds")
    _plant_faults(row, communes, n, seed)


def back_check_rows(communes: list[tuple[str, str, float]], households: int, seed: int) -> Iterator[dict]:
    """Back-checks of every ``BACK_CHECK_EVERY``-th household of :func:`household_rows` that consented and was not
    deleted, a few days later: the same answers, but for the household size of row ``BACK_CHECK_DISAGREES``."""
    for n in range(0, households, BACK_CHECK_EVERY):
        original = household_row(communes, n, seed)
        if original["consent"] != "yes" or original["__system"]["deletedAt"] is not None:
            continue
        rng = random.Random(f"back-check|{seed}|{n}")
        answers = original["household"]
        day = date.fromisoformat(original["interview_date"]) + timedelta(days=rng.randint(2, 6))
        start = datetime(day.year, day.month, day.day, 8, tzinfo=VIETNAM) + timedelta(seconds=rng.randrange(8 * 3600))
        instance, code = _uuid(rng), original["__id"].removeprefix("uuid:")[:8]
        yield {
            "start": start.isoformat(timespec="milliseconds"),
            "end": (start + timedelta(minutes=rng.uniform(5, 10))).isoformat(timespec="milliseconds"),
            "back_check_date": day.isoformat(),
            "back_checker": f"{SURNAMES[n // BACK_CHECK_EVERY % len(SURNAMES)]} Thị Giám",
            "household_code": code,
            "visited": "yes",
            "hh_size": answers["hh_size"] + (3 if n == BACK_CHECK_DISAGREES else 0),
            "n_children": answers["n_children"],
            "livelihood": answers["livelihood"],
            "meta": {"instanceID": instance, "instanceName": f"{code} {day.isoformat()}"},
            "__id": instance,
            "__system": {
                "submissionDate": utc_stamp(start + timedelta(hours=3)), "updatedAt": None, "submitterId": "8",
                "submitterName": "demo-supervisor", "attachmentsPresent": 0, "attachmentsExpected": 0,
                "status": None, "reviewState": None, "deviceId": None, "edits": 0,
                "formVersion": BACK_CHECK_VERSION, "deletedAt": None,
            },
        }


def _unit(commune: str, village: int) -> str:
    return f"{commune}-{village + 1:02d}"


def demo_sample_frame(communes: list[tuple[str, str, float]], urban: dict[str, bool],
                      years: tuple[int, ...] = (2025, 2026)) -> list[dict]:
    """The sample frame of the demo's rounds (``warehouse.reference.reference_data.FRAME_COLUMNS``): villages with a
    selection probability that grows with their size, as in a PPS draw; the census commune's villages with the
    households listed."""
    rows = []
    for year in years:
        for i, (commune, province, _) in enumerate(communes):
            census = commune == CENSUS_COMMUNE
            for village in range(UNITS_PER_COMMUNE):
                listed = 18 if census else 120 + 40 * ((i + village) % 5)
                rows.append({
                    "round_id": (CENSUS_ROUND if census else SAMPLE_ROUND).format(year=year),
                    "design": "census" if census else "sample", "commune_code": commune,
                    "stratum": "" if census else f"{province}-{'urban' if urban[commune] else 'rural'}",
                    "psu_code": _unit(commune, village), "psu_name": VILLAGES[village],
                    "psu_probability": "" if census else f"{listed / 2000:.3f}", "household_weight": "",
                    "households_listed": str(listed)})
    return rows


def row_system(communes: list[tuple[str, str, float]], n: int, seed: int) -> tuple[str, str, str | None, str | None]:
    """``(__id, submissionDate, updatedAt, deletedAt)`` of row ``n``, without drawing the rest of it."""
    rng = _rng(seed, n)
    _, submitted = _when(rng, None)
    instance = _uuid(rng)
    fate, later = _fate(rng, submitted, fresh=False)
    return (instance, utc_stamp(submitted), later if fate in ("edited", "approved") else None,
            later if fate == "deleted" else None)


def _plant_faults(row: dict, communes: list[tuple[str, str, float]], n: int, seed: int) -> None:
    """The faults the data-quality checks must find (nothing else in the demo is flagged): an enumerator whose
    interviews are too short to be real (rows ``TOO_FAST_ROWS``), a household interviewed twice (row
    ``DUPLICATE_ROWS[0]`` is row ``DUPLICATE_ROWS[1]`` again, a few metres away, on the same day, by another
    enumerator) and an outlier (the household size of row ``OUTLIER_ROW``)."""
    if n in TOO_FAST_ROWS:
        row["enumerator"] = FAST_ENUMERATOR
        start = datetime.fromisoformat(row["start"])
        row["end"] = (start + timedelta(minutes=4 + TOO_FAST_ROWS.index(n))).isoformat(timespec="milliseconds")
    elif n == DUPLICATE_ROWS[0]:
        original = household_row(communes, DUPLICATE_ROWS[1], seed)
        row.update({key: copy.deepcopy(original[key])
                    for key in ("interview_date", "consent", "location", "household")})
        row.pop("child", None), row.pop("child@odata.navigationLink", None)
        if "child" in original:
            row["child"] = copy.deepcopy(original["child"])
            row["child@odata.navigationLink"] = f"Submissions('{row['__id'].replace(':', '%3A')}')/child"
        if row["location"]["gps"]:
            longitude, latitude, altitude = row["location"]["gps"]["coordinates"]
            row["location"]["gps"]["coordinates"] = [round(longitude + 0.00003, 6), latitude, altitude]
    elif n == OUTLIER_ROW:
        row["household"]["hh_size"] = 24


def _rng(seed: int, n: int) -> random.Random:
    return random.Random((seed << 40) ^ n)


def _uuid(rng: random.Random) -> str:
    return f"uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}"


def _when(rng: random.Random, submitted: datetime | None) -> tuple[date, datetime]:
    """The interview day and the submission moment (drawn even when ``submitted`` is given: same stream)."""
    interview = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
    moment = datetime(interview.year, interview.month, interview.day, 10, tzinfo=timezone.utc) + timedelta(
        days=rng.choice([0, 0, 1, 2]), seconds=rng.randrange(36000), milliseconds=rng.randrange(1000))
    if submitted is not None:
        return submitted.date(), submitted
    return interview, moment


def _fate(rng: random.Random, submitted: datetime, *, fresh: bool) -> tuple[str | None, str]:
    """What happened to a submission on the server afterwards: edited, approved, deleted, spoiled or nothing."""
    later = utc_stamp(submitted + timedelta(days=rng.randint(1, 20)))
    roll = rng.random()
    fate = ("edited" if roll < 0.03 else "approved" if roll < 0.08 else "deleted" if roll < 0.09
            else "spoiled" if roll < 0.105 else None)
    if fresh and fate != "spoiled":
        fate = None
    return fate, later


def _row(rng: random.Random, commune: str, province: str, propensity: float, submitted_at: datetime | None) -> dict:
    interview, submitted = _when(rng, submitted_at)
    instance = _uuid(rng)
    fate, later = _fate(rng, submitted, fresh=submitted_at is not None)
    consent = rng.random() > 0.03
    poverty = rng.choices(["poor", "near_poor", "not_poor"], [0.12, 0.1, 0.78])[0]
    n_children = rng.choices([0, 1, 2, 3, 4, 5], [0.12, 0.3, 0.32, 0.16, 0.07, 0.03])[0] if consent else 0
    children = [_child(rng, interview, propensity * (2.0 if poverty != "not_poor" else 1.0))
                for _ in range(n_children)]
    row = {
        "interview_date": interview.isoformat(),
        "enumerator": f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}",
        "consent": "yes" if consent else "no",
        "location": {
            "province": province,
            "commune": commune,
            "village": rng.choice(VILLAGES),
            "sampling_unit": None,
            "gps": {"type": "Point",
                    "coordinates": [round(104 + rng.random() * 3, 6), round(9 + rng.random() * 13, 6),
                                    round(rng.random() * 50, 1)],
                    "properties": {"accuracy": round(3 + rng.random() * 10, 1)}},
        },
        "household": {
            "respondent_name": f"{rng.choice(SURNAMES)} Văn {rng.choice(GIVEN)}" if consent else None,
            "respondent_phone": f"09{rng.randrange(10**8):08d}" if consent else None,
            "hh_size": n_children + rng.randint(1, 4) if consent else None,
            "poverty_status": poverty if consent else None,
            "craft_village": rng.choice(["yes", "no", "no", "no"]) if consent else None,
            "livelihood": rng.choice(["crop_farming", "livestock", "fishery_aquaculture", "craft",
                                      "trade_services", "wage_work"]) if consent else None,
            "caregiver_informed": rng.choices(["yes", "no", "dont_know"], [0.62, 0.33, 0.05])[0] if consent else None,
            "n_children": n_children if consent else None,
        },
        "meta": {"instanceID": instance, "instanceName": f"{commune} - {interview.isoformat()}"},
        "__id": instance,
        "__system": {
            "submissionDate": utc_stamp(submitted), "updatedAt": None, "submitterId": "7",
            "submitterName": "demo-collector", "attachmentsPresent": 0, "attachmentsExpected": 0,
            "status": None, "reviewState": None, "deviceId": None, "edits": 0,
            "formVersion": FORM_VERSION, "deletedAt": None,
        },
    }
    if not consent:  # not asked without consent: ODK Central sends the group with every answer null
        row["location"] = dict.fromkeys(row["location"])
    if children:
        row["child@odata.navigationLink"] = f"Submissions('{instance.replace(':', '%3A')}')/child"
        row["child"] = children
    _afterwards(rng, row, fate, later)
    return row


def _child(rng: random.Random, interview: date, propensity: float) -> dict:
    age = rng.randint(5, 17)
    dob_known = rng.random() < 0.7
    dob = interview - timedelta(days=int(age * 365.25) + rng.randrange(300))
    working = rng.random() < propensity * (0.4 + age / 10)
    child = {
        "child_name": f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}",
        "sex": rng.choice(["male", "female"]),
        "dob_known": "yes" if dob_known else "no",
        "dob": dob.isoformat() if dob_known else None,
        "age_stated": None if dob_known else age,
        "age": age,
        "ethnicity": rng.choices(["kinh", "tay", "nung", "khmer", "hmong", "other"], [0.82, 0.05, 0.04, 0.04, 0.03, 0.02])[0],
        "school_status": "attending" if rng.random() > (0.02 + (0.25 if working else 0)) else "dropped_out",
        "econ_activity": "yes" if working else "no",
        "temp_absent": None if working else "no",
        "work": _work(rng, age) if working else {k: None for k in (
            "work_kind", "performance_approved", "workplace", "sector", "hours_day", "hours_week", "night_work",
            "overtime", "hazards")},
        "chores_hours_week": round(rng.random() * 14, 1),
        "worked_12m": "yes" if working or rng.random() < 0.05 else "no",
        "child_informed": rng.choices(["yes", "no", "dont_know"], [0.68, 0.28, 0.04])[0],
    }
    child["grade"] = min(12, max(1, age - 5)) if child["school_status"] == "attending" else None
    return child


def _work(rng: random.Random, age: int) -> dict:
    kinds = {rng.choice(LIGHT if rng.random() < 0.45 else OTHER)}
    if rng.random() < 0.08:
        kinds.add(rng.choice(PROHIBITED))
    hazards = rng.sample(HAZARDS, rng.choice([0, 0, 0, 0, 0, 1, 2])) or ["none"]
    hours_day = rng.choice([1, 2, 3, 4, 4, 5, 6, 8, 9])
    hours_week = min(112, hours_day * rng.choice([1, 2, 3, 5, 6, 7]))
    main = sorted(kinds)[0]
    return {
        "work_kind": " ".join(sorted(kinds)),
        "performance_approved": None,
        "workplace": rng.choice(["home", "family_farm", "fields_forest_water", "shop_market", "street",
                                 "workshop_factory", "construction_site"] if age >= 12 else ["home", "family_farm"]),
        "sector": SECTOR_OF.get(main, "services"),
        "hours_day": hours_day,
        "hours_week": hours_week,
        "night_work": "yes" if rng.random() < 0.06 else "no",
        "overtime": "yes" if rng.random() < 0.05 else "no",
        "hazards": " ".join(sorted(hazards)),
    }


def _afterwards(rng: random.Random, row: dict, fate: str | None, later: str) -> None:
    """Apply the submission's fate: an edit, a review, a deletion, or a bad answer."""
    system = row["__system"]
    if fate == "edited":  # edited on the server: new instanceID, same __id
        system.update(edits=1, reviewState="edited", updatedAt=later)
        row["meta"]["instanceID"] = _uuid(rng)
        row["household"]["hh_size"] = (row["household"]["hh_size"] or 0) + 1 if row["consent"] == "yes" else None
    elif fate == "approved":
        system.update(reviewState="approved", updatedAt=later)
    elif fate == "deleted":
        system.update(deletedAt=later)
    elif fate == "spoiled":
        _spoil(rng, row)


def _spoil(rng: random.Random, row: dict) -> None:
    kind = rng.randrange(5)
    children = row.get("child") or []
    if kind == 0 and row["location"]["commune"]:
        row["location"]["commune"] = "99999"
    elif kind == 1:
        row["interview_date"] = "2031-01-01"
    elif kind == 2 and children:
        children[0]["dob"], children[0]["age_stated"], children[0]["dob_known"] = None, 19, "no"
    elif kind == 3 and children and children[0]["work"]["hours_day"] is not None:
        children[0]["work"]["hours_week"] = children[0]["work"]["hours_day"] - 1
    else:
        row["consent"] = None
