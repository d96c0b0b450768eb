"""A small household-survey fixture in ODK Central's OData shape, with its indicators worked out by hand.

Communes: A = 00004 Phường Ba Đình (province 01, urban), B = 05977 Phường Đông Kinh (province 20, urban).
All interviews in 2026.

| hh | commune | date | children (age, sex: work) | vn_law CL | icls CL |
|---|---|---|---|---|---|
| H1 | A | 03-10 | c1 8F none; c2 14M crop_farming 3h/day 10h/wk | c2 (13–14 not light) | – (10 h < 14) |
| H2 | A | 05-02 | c3 16M factory 8h/day 48h/wk; c4 10F grazing 2h/6h; c5 13F none; c15 12M handicraft 1h/2h | c3 (hours), c4, c15 (under 13) | c3 (long hours, hazardous), c4 (5–11) |
| H3 | A | 08-20 | c6 15M construction_work at construction_site 6h/30h; c7 6F none | c6 (hazardous place) | c6 (hazardous) |
| H4 | A | 09-01 | consent no | | |
| H5 | B | 04-01 | c8 12F, c9 15F, c10 16M, c11 13F, c12 17M none; c13 17F shop_restaurant 4h/20h | – | – |
| H6 | B | 10-10 | a child aged 19 (quarantined); c14 9M none | – | – |
| H7 | 99999 | 07-07 | unknown commune: the household is quarantined | | |
| H8 | A | 06-06 | deleted on the server; c 16M heavy_loads — never counted | | |
| H9 | B | 06-15 | c16 16M factory 10h/day 50h/wk; after the edit 6h/day 30h/wk | c16 before the edit only | c16 before the edit only |

After the edit, vn_law 2026: national 5/16 = 0.3125 (Wilson 95%: 0.1416–0.5560); province 01 (commune A alone)
5/8 and province 20 (commune B alone) 0/8, suppressed by disclosure control (warehouse.indicators.disclosure: the
nation less one gives the other). Before the edit, vn_law national 6/16 = 0.375.
"""

from __future__ import annotations

COMMUNE_A, PROVINCE_A = "00004", "01"
COMMUNE_B, PROVINCE_B = "05977", "20"
FORM_VERSION = "2026112301"
NO_WORK = {k: None for k in ("work_kind", "performance_approved", "workplace", "sector", "hours_day",
                              "hours_week", "night_work", "overtime", "hazards")}


def child(name: str, age: int, sex: str, work: dict | None = None) -> dict:
    return {
        "child_name": name, "sex": sex, "dob_known": "no", "dob": None, "age_stated": age, "age": age,
        "ethnicity": "kinh", "school_status": "attending", "grade": max(1, min(12, age - 5)),
        "econ_activity": "yes" if work else "no", "temp_absent": None if work else "no",
        "work": {**NO_WORK, **work} if work else dict(NO_WORK),
        "chores_hours_week": 5, "worked_12m": "yes" if work else "no", "child_informed": "yes",
    }


def work(kind: str, day: float, week: float, place: str = "family_farm", sector: str = "services",
         hazards: str = "none") -> dict:
    return {"work_kind": kind, "workplace": place, "sector": sector, "hours_day": day, "hours_week": week,
            "night_work": "no", "overtime": "no", "hazards": hazards}


def household(n: int, commune: str, province: str, day: str, children: list[dict], consent: str = "yes",
              poverty: str = "not_poor", deleted_at: str | None = None) -> dict:
    instance = f"uuid:00000000-0000-4000-8000-{n:012d}"
    row = {
        "interview_date": f"2026-{day}",
        "enumerator": "Nguyễn Văn Điều Tra",
        "consent": consent,
        "location": {"province": province, "commune": commune, "village": "Thôn 1",
                     "gps": {"type": "Point", "coordinates": [105.8, 21.0, 10], "properties": {"accuracy": 5}}},
        "household": {
            "respondent_name": f"Chủ hộ {n}" if consent == "yes" else None,
            "respondent_phone": "0912345678" if consent == "yes" else None,
            "hh_size": len(children) + 2 if consent == "yes" else None,
            "poverty_status": poverty if consent == "yes" else None,
            "craft_village": "no" if consent == "yes" else None,
            "livelihood": "crop_farming" if consent == "yes" else None,
            "caregiver_informed": "yes" if consent == "yes" else None,
            "n_children": len(children) if consent == "yes" else None,
        },
        "meta": {"instanceID": instance, "instanceName": f"{commune} - 2026-{day}"},
        "__id": instance,
        "__system": {
            "submissionDate": f"2026-11-{n:02d}T08:00:00.000Z", "updatedAt": None, "submitterId": "5",
            "submitterName": "collector@example.com", "attachmentsPresent": 0, "attachmentsExpected": 0,
            "status": None, "reviewState": None, "deviceId": None, "edits": 0, "formVersion": FORM_VERSION,
            "deletedAt": deleted_at,
        },
    }
    if children:
        row["child@odata.navigationLink"] = f"Submissions('{instance.replace(':', '%3A')}')/child"
        row["child"] = children
    return row


def fixture_rows() -> list[dict]:
    """The nine submissions as first synced (H9 not yet edited)."""
    return [
        household(1, COMMUNE_A, PROVINCE_A, "03-10", [
            child("c1", 8, "female"), child("c2", 14, "male", work("crop_farming", 3, 10))]),
        household(2, COMMUNE_A, PROVINCE_A, "05-02", [
            child("c3", 16, "male", work("factory_workshop", 8, 48, "workshop_factory", "industry_construction")),
            child("c4", 10, "female", work("grazing", 2, 6, sector="agriculture_forestry_fishery")),
            child("c5", 13, "female"),
            child("c15", 12, "male", work("handicraft", 1, 2, "home", "industry_construction"))], poverty="poor"),
        household(3, COMMUNE_A, PROVINCE_A, "08-20", [
            child("c6", 15, "male", work("construction_work", 6, 30, "construction_site", "industry_construction")),
            child("c7", 6, "female")], poverty="near_poor"),
        household(4, COMMUNE_A, PROVINCE_A, "09-01", [], consent="no"),
        household(5, COMMUNE_B, PROVINCE_B, "04-01", [
            child("c8", 12, "female"), child("c9", 15, "female"), child("c10", 16, "male"),
            child("c11", 13, "female"), child("c12", 17, "male"),
            child("c13", 17, "female", work("shop_restaurant", 4, 20, "shop_market"))]),
        household(6, COMMUNE_B, PROVINCE_B, "10-10", [child("too old", 19, "male"), child("c14", 9, "male")]),
        household(7, "99999", PROVINCE_A, "07-07", [child("x", 10, "male")]),
        household(8, COMMUNE_A, PROVINCE_A, "06-06", [
            child("deleted", 16, "male", work("heavy_loads", 8, 40, "street"))],
            deleted_at="2026-11-20T09:00:00.000Z"),
        household(9, COMMUNE_B, PROVINCE_B, "06-15", [
            child("c16", 16, "male", work("factory_workshop", 10, 50, "workshop_factory", "industry_construction"))]),
    ]


def edit_h9(row: dict) -> dict:
    """H9 as edited on the server: c16 now works 6 h a day, 30 h a week."""
    edited = {**row, "child": [dict(row["child"][0], work=dict(row["child"][0]["work"], hours_day=6, hours_week=30))]}
    edited["meta"] = {**row["meta"], "instanceID": "uuid:00000000-0000-4000-9000-000000000009"}
    edited["__system"] = {**row["__system"], "updatedAt": "2026-11-21T10:00:00.000Z", "reviewState": "edited",
                          "edits": 1}
    return edited
