"""A small, hand-made warehouse for the progress report of Lạng Sơn (province 20) in 2026, with every number
the report must show worked out here.

Area: province 20 (vn-2025-07) = communes 05977 Phường Đông Kinh, 05983 Phường Lương Văn Tri, 06001 Xã Đoàn Kết;
the old territory ``legacy-province-89`` is approximated by 30292 Phường Bình Đức (not exact). Rows in 2025 or in
commune 00004 (Hà Nội) must never count.

Indicator cells (province 20, 2026 unless said):
- 1.1 vn_law 46/382 = 12.04% (9.15–15.69%), target ≤ 4.5% (2030, "Kế hoạch 99/KH-UBND (Lạng Sơn)"), gap +7.54 pp,
  off track; 2025: 28/281; 2026-Q1 10/90; 2026-Q2 suppressed; male 17/200, female 29/182; 5–12 25/230, 13–14
  suppressed, 15–17 14/93; sector of work: agriculture, forestry, fishery 21/30, industry, construction suppressed,
  services 25/40, not working 0/300; craft village: in one 20/60, not 26/322; communes 05977 20/150, 05983
  suppressed, 06001 22/200. (icls 30/382 must not show.)
- 1.2 9/10 = 90%, target ≥ 100% (2025), gap −10 pp, off track.
- 1.3 no cell, target > 90% (2025) from the target table: no data, with its target.
- 2.1a 12 people informed, no reference population: no denominator.
- 2.2 survey 300/382 = 78.53%, target ≥ 70% (2025), met.
- 4.2b median 12.5 days over 9 cases, no target.
- legacy-province-89: 1.1 vn_law 18/120 = 15%, not an exact territory.

Activities 2026: 3 (1 training), participants 100 (28 male, 42 female, 30 not by sex); communication events 2
with 80 participants, training course 1 with 20; children 40 reached / 35 new, parents 40 / 35, commune officials
20 / 15 / 15 trained.

Inspections 2026: 10 establishments; violations 6, sanctioned 5 (warning or fine), fined 3 (shown: establishments
identify no child; the total of three fines is suppressed), found using child labour 3 (shown); young workers 7, of
whom child labourers 4 (suppressed). Enterprises: 7 inspected, 4 in violation (shown).

Cases identified 2026: 10 (child labourers 6, at risk 3, trafficked 1), supported in time 8, monitoring 5;
closed in 2026: 3 (suppressed); followed up in 2026: 6. The summaries read the counts that cells hold from the
cells (``_summary_cells``): 4.2d's 10 identified (6 child labourers, 3 at risk, trafficked suppressed), 1.2's 9
supported in time, 4.2c's closed and 1.1h's young child labourers (both suppressed); the commune 05977's 4 cases
and 2026-Q2's cases are suppressed; 2026-H1: 7 identified, 4 child labourers, the other types suppressed.

Reporting, as of 2026-11-20 (periods ending in 2026): activity reports of 2026-Q3 (due 15/10/2026) from 06001
missing (0 of 1), from 05983 late (3 received, complete 20/10/2026), from 05977 on time; 05977's survey round
2026-06-01/2026-07-31 (due 15/08/2026) on time with 42 of 40 households, 2 of them late; 06001's activity report of
2026-Q4 not due yet. Not in the report: 00004's report of 2026-Q3 (elsewhere), 05983's of 2025-Q4 (ends in 2025).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, insert

from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import (
    Activity,
    ActivityReach,
    AreaCommune,
    Case,
    CaseVisit,
    IndicatorValue,
    Inspection,
    RawSubmission,
    ReferenceUpload,
    ReportingCompleteness,
    Target,
    YoungWorker,
    YoungWorkerClassification,
)

YEAR = 2026
PROVINCE, VERSION = "20", "vn-2025-07"
COMMUNES = {"05977": "Phường Đông Kinh", "05983": "Phường Lương Văn Tri", "06001": "Xã Đoàn Kết"}
ELSEWHERE = "00004"  # Phường Ba Đình, Hà Nội
LEGACY_COMMUNE = "30292"
TARGET_DOC = "Kế hoạch 99/KH-UBND (Lạng Sơn)"

_raw_ids = iter(range(1, 10_000))


def build(url: str) -> Engine:
    """Migrate a fresh warehouse at ``url`` and fill it with the state described above."""
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(insert(AreaCommune), _areas())
        conn.execute(insert(IndicatorValue), _indicator_cells())
        conn.execute(insert(ReferenceUpload), [{"upload_id": "targets-test", "kind": "targets", "file_name": "t.csv",
                                                "content_sha256": "0" * 64, "rows": 1, "loaded_at": "2026-11-01"}])
        conn.execute(insert(Target), [{
            "indicator_id": "1.3", "jurisdiction_level": "province", "jurisdiction_code": PROVINCE,
            "code_list_version": VERSION, "year": 2025, "jurisdiction_name": "Tỉnh Lạng Sơn", "comparator": ">",
            "value": 0.9, "source_document": TARGET_DOC, "note": None, "upload_id": "targets-test"}])
        activities, reach = _activities()
        inspections, workers, classes = _inspections()
        cases, visits = _cases()
        raw = [_raw(row["raw_submission_id"]) for row in activities + inspections + visits]
        conn.execute(insert(RawSubmission), raw)
        for model, rows in ((Activity, activities), (ActivityReach, reach), (Inspection, inspections),
                            (YoungWorker, workers), (YoungWorkerClassification, classes), (Case, cases),
                            (CaseVisit, visits)):
            conn.execute(insert(model), rows)
        conn.execute(insert(ReportingCompleteness), _reporting())
    return engine


def _reporting() -> list[dict]:
    q3, q4 = (date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 15)), (date(2026, 10, 1), date(2026, 12, 31),
                                                                          date(2027, 1, 15))
    names = {**COMMUNES, ELSEWHERE: "Phường Ba Đình"}
    rows = [  # form, commune, period, (start, end, deadline), expected, received, on time, completed on, status
        ("activity_report", "06001", "2026-Q3", q3, 1, 0, 0, None, "missing"),
        ("activity_report", "05983", "2026-Q3", q3, 1, 3, 0, date(2026, 10, 20), "late"),
        ("activity_report", "05977", "2026-Q3", q3, 1, 1, 1, date(2026, 8, 2), "on_time"),
        ("household_survey", "05977", "2026-06-01/2026-07-31", (date(2026, 6, 1), date(2026, 7, 31),
                                                                 date(2026, 8, 15)), 40, 42, 40, date(2026, 8, 1),
         "on_time"),
        ("activity_report", "06001", "2026-Q4", q4, 1, 0, 0, None, "not_due"),
        ("activity_report", ELSEWHERE, "2026-Q3", q3, 1, 0, 0, None, "missing"),
        ("activity_report", "05983", "2025-Q4", (date(2025, 10, 1), date(2025, 12, 31), date(2026, 1, 15)), 1, 0,
         0, None, "missing"),
    ]
    return [{"form_id": form, "commune_code": code, "code_list_version": VERSION, "period": period,
             "province_code": "01" if code == ELSEWHERE else PROVINCE, "commune_name": names[code],
             "period_start": start, "period_end": end, "deadline": deadline, "expected": expected,
             "received": received, "on_time": on_time, "late": received - on_time,
             "missing": max(0, expected - received), "completed_on": completed, "status": status,
             "as_of": date(2026, 11, 20)}
            for form, code, period, (start, end, deadline), expected, received, on_time, completed, status in rows]


def _raw(raw_id: int) -> dict:
    return {"id": raw_id, "source": "test", "project": "1", "form_id": "test", "instance_id": f"uuid:{raw_id}",
            "payload": {}, "content_sha256": "0" * 64, "change_seq": raw_id, "first_loaded_at": "2026-11-01",
            "last_changed_at": "2026-11-01"}


def _areas() -> list[dict]:
    rows = [{"area_level": "province", "area_code": PROVINCE, "code_list_version": VERSION, "commune_code": code,
             "area_name": "Tỉnh Lạng Sơn", "exact": True} for code in COMMUNES]
    rows += [{"area_level": "commune", "area_code": code, "code_list_version": VERSION, "commune_code": code,
              "area_name": name, "exact": True} for code, name in COMMUNES.items()]
    rows += [
        {"area_level": "commune", "area_code": ELSEWHERE, "code_list_version": VERSION, "commune_code": ELSEWHERE,
         "area_name": "Phường Ba Đình", "exact": True},
        {"area_level": "commune", "area_code": LEGACY_COMMUNE, "code_list_version": VERSION,
         "commune_code": LEGACY_COMMUNE, "area_name": "Phường Bình Đức", "exact": True},
        {"area_level": "province", "area_code": "89", "code_list_version": "vn-legacy",
         "commune_code": LEGACY_COMMUNE, "area_name": "Tỉnh An Giang", "exact": False},
    ]
    return rows


def cell(indicator: str, source: str, num, den, value, *, rule_set: str = "", period: str = str(YEAR),
         level: str = "province", code: str = PROVINCE, version: str = VERSION, dimension: str = "total",
         group: str = "all", status: str = "no_target", ci=(None, None), target=None, gap=None,
         unit: str = "share", exact: bool = True) -> dict:
    """An indicator_value row; ``target`` is (comparator, value, year)."""
    comparator, target_value, target_year = target or (None, None, None)
    return {
        "indicator_id": indicator, "source": source, "rule_set": rule_set, "period": period,
        "period_type": "quarter" if "-Q" in period else "half" if "-H" in period else "year", "area_level": level,
        "area_code": code, "code_list_version": version, "dimension": dimension, "dimension_value": group, "unit": unit,
        "rules_version": "test", "numerator": num, "denominator": den, "value": value, "ci_low": ci[0],
        "ci_high": ci[1], "suppressed": status == "suppressed", "exact_territory": exact,
        "target_year": target_year, "target_comparator": comparator, "target_value": target_value,
        "target_source": TARGET_DOC if target else None, "gap": gap, "status": status,
    }


def suppressed(indicator: str, source: str, **keys) -> dict:
    return cell(indicator, source, None, None, None, status="suppressed", **keys)


def _indicator_cells() -> list[dict]:
    hh, vn = "household_survey", {"rule_set": "vn_law"}
    t11 = {"target": ("<=", 0.045, 2030)}
    return [
        cell("1.1", hh, 46, 382, 46 / 382, ci=(0.0915, 0.1569), status="off_track", gap=46 / 382 - 0.045, **t11, **vn),
        cell("1.1", hh, 30, 382, 30 / 382, rule_set="icls", status="off_track", **t11),
        cell("1.1", hh, 28, 281, 28 / 281, period="2025", status="off_track", target=("<=", 0.049, 2025), **vn),
        cell("1.1", hh, 10, 90, 10 / 90, period="2026-Q1", status="off_track", **t11, **vn),
        suppressed("1.1", hh, period="2026-Q2", **t11, **vn),
        cell("1.1", hh, 17, 200, 17 / 200, dimension="sex", group="male", **vn),
        cell("1.1", hh, 29, 182, 29 / 182, dimension="sex", group="female", **vn),
        cell("1.1", hh, 25, 230, 25 / 230, dimension="age_band", group="5-12", **vn),
        suppressed("1.1", hh, dimension="age_band", group="13-14", **vn),
        cell("1.1", hh, 14, 93, 14 / 93, dimension="age_band", group="15-17", **vn),
        cell("1.1", hh, 0, 300, 0.0, dimension="work_sector", group="not_working", **vn),
        cell("1.1", hh, 25, 40, 25 / 40, dimension="work_sector", group="services", **vn),
        suppressed("1.1", hh, dimension="work_sector", group="industry_construction", **vn),
        cell("1.1", hh, 21, 30, 21 / 30, dimension="work_sector", group="agriculture_forestry_fishery", **vn),
        cell("1.1", hh, 26, 322, 26 / 322, dimension="craft_village", group="no", **vn),
        cell("1.1", hh, 20, 60, 20 / 60, dimension="craft_village", group="yes", **vn),
        cell("1.1", hh, 20, 150, 20 / 150, level="commune", code="05977", **vn),
        suppressed("1.1", hh, level="commune", code="05983", **vn),
        cell("1.1", hh, 22, 200, 22 / 200, level="commune", code="06001", **vn),
        cell("1.1", hh, 9, 60, 0.15, level="commune", code=ELSEWHERE, **vn),
        cell("1.2", "cases", 9, 10, 0.9, status="off_track", target=(">=", 1.0, 2025), gap=-0.1),
        cell("2.1a", "activities", 12, None, None, status="no_denominator"),
        cell("2.2", hh, 300, 382, 300 / 382, ci=(0.7413, 0.8243), status="met", target=(">=", 0.7, 2025),
             gap=300 / 382 - 0.7),
        cell("4.2b", "cases", 9, None, 12.5, unit="days"),
        *_summary_cells(),
        cell("1.1", hh, 18, 120, 0.15, level="province", code="89", version="vn-legacy", status="off_track",
             target=("<=", 0.045, 2030), exact=False, **vn),
    ]


def _summary_cells() -> list[dict]:
    """The cells the summaries read (as published: some suppressed, as complementary suppression may)."""
    by_type = {"dimension": "case_type"}
    return [
        cell("4.2d", "cases", 4, 10, 0.4),
        cell("4.2d", "cases", 3, 6, 0.5, group="child_labourer", **by_type),
        cell("4.2d", "cases", 1, 3, 1 / 3, group="at_risk", **by_type),
        suppressed("4.2d", "cases", group="trafficked", **by_type),
        suppressed("4.2d", "cases", level="commune", code="05977"),  # 4 cases
        *(suppressed("4.2d", "cases", period=period) for period in ("2026-Q2", "2026-Q3", "2026-H2")),
        cell("4.2d", "cases", 2, 7, 2 / 7, period="2026-H1"),
        cell("4.2d", "cases", 2, 4, 0.5, period="2026-H1", group="child_labourer", **by_type),
        suppressed("4.2d", "cases", period="2026-H1", group="at_risk", **by_type),
        suppressed("4.2d", "cases", period="2026-H1", group="trafficked", **by_type),
        suppressed("4.2c", "cases"),  # 3 closed
        suppressed("4.2c", "cases", period="2026-H1"),
        suppressed("1.1h", "inspections", rule_set="vn_law"),  # 4 young child labourers
        cell("1.1h", "inspections", 0, 1, 0.0, rule_set="icls"),  # not the reported rule set
    ]


def _activities() -> tuple[list[dict], list[dict]]:
    specs = [  # id, commune, day, type, male, female, total, reach [(audience, reached, new, trained)]
        ("a1", "05977", date(2026, 3, 8), "communication_event", 20, 30, 50,
         [("parents_caregivers", 40, 35, None), ("children", 10, 10, None)]),
        ("a2", "05983", date(2026, 5, 20), "training_course", 8, 12, 20, [("commune_officials", 20, 15, 15)]),
        ("a3", "06001", date(2026, 6, 1), "communication_event", None, None, 30, [("children", 30, 25, None)]),
        ("a4", "05977", date(2025, 6, 1), "workshop", 5, 5, 10, [("children", 10, 10, None)]),  # 2025
        ("a5", ELSEWHERE, date(2026, 6, 1), "workshop", 5, 5, 10, [("children", 10, 10, None)]),  # Hà Nội
    ]
    activities, reach = [], []
    for activity_id, commune, day, kind, male, female, total, groups in specs:
        activities.append({
            "activity_id": activity_id, "raw_submission_id": next(_raw_ids), "change_seq": 1, "source": "test",
            "form_version": "1", "activity_date": day, "year": day.year, "quarter": (day.month - 1) // 3 + 1,
            "province_code": PROVINCE, "commune_code": commune, "code_list_version": VERSION, "activity_type": kind,
            "training": kind == "training_course", "topics": "child_labour_law", "organiser_type": "commune_committee",
            "participants_male": male, "participants_female": female, "participants_total": total,
            "participants_new": None, "has_participant_list": False})
        reach += [{"activity_id": activity_id, "audience": audience, "reached": n, "reached_new": new,
                   "reached_new_trained": trained} for audience, n, new, trained in groups]
    return activities, reach


def _inspections() -> tuple[list[dict], list[dict], list[dict]]:
    specs = [  # id, commune, type, violations, actions, fine, young workers [(sex, age, vn_law child labour)]
        ("i01", "05977", "enterprise", "excess_hours", "fine", 10_000_000, [("male", 16, True), ("female", 17, False)]),
        ("i02", "05977", "enterprise", "none", "advice", None, []),
        ("i03", "05983", "household_business", "prohibited_work_place", "warning", None, [("female", 15, True)]),
        ("i04", "05983", "enterprise", "none", "none", None, []),
        ("i05", "06001", "enterprise", "no_minor_register", "fine", 5_000_000, [("male", 17, False)]),
        ("i06", "06001", "household_business", None, None, None, []),
        ("i07", "06001", "enterprise", "excess_hours night_overtime", "warning fine", 7_500_000,
         [("male", 14, True), ("female", 16, True)]),
        ("i08", "05977", "craft_village_workshop", "no_written_contract", "warning", None, [("female", 14, False)]),
        ("i09", "05983", "enterprise", "other_violation", "advice", None, []),
        ("i10", "06001", "enterprise", "none", "advice", None, []),
        ("i11", ELSEWHERE, "enterprise", "excess_hours", "fine", 9_000_000, [("male", 15, True)]),  # Hà Nội
    ]
    inspections, workers, classes = [], [], []
    for inspection_id, commune, kind, violations, actions, fine, young in specs:
        inspections.append({
            "inspection_id": inspection_id, "raw_submission_id": next(_raw_ids), "change_seq": 1, "source": "test",
            "form_version": "1", "inspection_date": date(2026, 4, 1), "year": 2026, "quarter": 2,
            "province_code": PROVINCE, "commune_code": commune, "code_list_version": VERSION,
            "inspection_kind": "periodic", "inspector_id": None, "establishment_type": kind,
            "enterprise_size": None, "sector": None, "craft_village": None, "total_workers": 20,
            "n_young_workers": len(young), "employer_informed": None, "employer_informed_date": None,
            "employer_trained": None, "employer_trained_date": None, "violations": violations, "actions": actions,
            "fine_amount": fine})
        for index, (sex, age, child_labour) in enumerate(young):
            worker_id = f"{inspection_id}w{index}"
            workers.append({"worker_id": worker_id, "inspection_id": inspection_id, "change_seq": 1,
                            "repeat_index": index, "sex": sex, "age": age, "age_source": "stated",
                            "working": True})
            for rule_set, flag in (("vn_law", child_labour), ("icls", True)):  # icls says yes: must not count
                classes.append({"worker_id": worker_id, "rule_set": rule_set, "rules_version": "test",
                                "age_band": "15-17", "working": True, "child_labour": flag, "hazardous": False,
                                "at_risk": False, "reasons": ""})
    return inspections, workers, classes


def _cases() -> tuple[list[dict], list[dict]]:
    specs = [  # id, commune, type, identified, first support, visits, status, closed, reason, visit dates
        ("c01", "05977", "child_labourer", date(2026, 2, 1), date(2026, 2, 10), 2, "monitoring", None, None,
         [date(2026, 2, 10), date(2026, 5, 1)]),
        ("c02", "05977", "child_labourer", date(2026, 3, 1), date(2026, 5, 1), 1, "supported", None, None, []),
        ("c03", "05983", "at_risk", date(2026, 3, 5), date(2026, 3, 20), 1, "closed", date(2026, 9, 1),
         "no_longer_working", [date(2026, 3, 20)]),
        ("c04", "05983", "at_risk", date(2026, 4, 1), date(2026, 4, 2), 3, "closed", date(2026, 10, 1), "moved",
         [date(2026, 4, 2), date(2026, 6, 2), date(2026, 9, 2)]),
        ("c05", "06001", "child_labourer", date(2026, 4, 10), date(2026, 4, 12), 1, "monitoring", None, None,
         [date(2026, 4, 12)]),
        ("c06", "06001", "child_labourer", date(2026, 5, 10), None, 0, "open", None, None, []),
        ("c07", "06001", "trafficked", date(2026, 6, 1), date(2026, 6, 5), 2, "supported", None, None,
         [date(2026, 6, 5), date(2026, 7, 5)]),
        ("c08", "05977", "child_labourer", date(2026, 7, 1), date(2026, 7, 20), 1, "monitoring", None, None, []),
        ("c09", "05983", "child_labourer", date(2026, 8, 1), date(2026, 8, 5), 1, "monitoring", None, None, []),
        ("c10", "05977", "at_risk", date(2026, 9, 1), date(2026, 9, 3), 1, "monitoring", None, None, []),
        ("c00", "06001", "child_labourer", date(2025, 11, 1), date(2025, 11, 5), 3, "closed", date(2026, 1, 15),
         "turned_18", [date(2026, 1, 10)]),  # identified in 2025, closed and followed up in 2026
        ("c99", ELSEWHERE, "child_labourer", date(2026, 2, 1), date(2026, 2, 2), 1, "closed", date(2026, 3, 1),
         "moved", [date(2026, 2, 2)]),  # Hà Nội
    ]
    cases, visits = [], []
    for n, (case_id, commune, kind, identified, first, n_visits, status, closed, reason, days) in enumerate(specs):
        cases.append({
            "case_id": case_id, "case_code": f"LS-{n:03d}", "subject_kind": "child", "subject_id": f"s{case_id}",
            "identified_source": "household_survey", "identified_on": identified, "year": identified.year,
            "quarter": (identified.month - 1) // 3 + 1, "province_code": PROVINCE, "commune_code": commune,
            "code_list_version": VERSION, "sex": "female", "age_band": "15-17", "case_type": kind, "status": status,
            "first_support_on": first, "visits": n_visits, "last_visit_on": days[-1] if days else first,
            "closed_on": closed, "closure_reason": reason, "in_education_at_last_visit": True,
            "child_labour_at_last_visit": False})
        visits += [{
            "visit_id": f"{case_id}v{i}", "raw_submission_id": next(_raw_ids), "change_seq": 1, "case_id": case_id,
            "visit_date": day, "year": day.year, "quarter": (day.month - 1) // 3 + 1, "age": 15,
            "econ_activity": False, "temp_absent": False, "case_status": status, "rules_version": "test",
            "child_labour": False, "reasons": "", "working": False} for i, day in enumerate(days)]
    return cases, visits
