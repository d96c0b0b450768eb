"""The report by organisation (Ninh Thuận's Youth Union, 2016–2020) and the multi-year review (An Giang, 2021–2025),
on a small hand-made warehouse, every figure worked out here.

Ninh Thuận (old province 58): Phước Bình 22783 and Phước Hòa 22786 are in Bác Ái (584), Vĩnh Hải 22846 in Ninh Hải
(586). Youth Union activities, old-coded:
- y1 2017-03-26 Phước Bình, district, communication event, 20 men + 30 women, children 40 reached / 40 new,
  "Vì đàn em thân yêu";
- y2 2017-06-01 Vĩnh Hải, district, contest, 10 + 10, children 20 / 15, "Vì đàn em thân yêu";
- y3 2018-05-15 Phước Hòa, district, training, 5 + 5, youth cadres 10 / 10, 8 trained anew;
- y4 2019-06-12 Phước Bình, provincial, a broadcast: 4 airings, an estimated 5,000 reached;
- y5 2019-09-01 Vĩnh Hải, commune, 300 leaflets.
Not counted: w1 (Women's Union, 2020), y6 (2021), y7 (a Youth Union activity in An Giang's old commune, 2019).
Units, sorted: commune Ninh Hải 2019 (y5: 300 copies); district Bác Ái 2017 (y1: 50 participants, 20 male, 30
female, 40 reached anew, 1 campaign) and 2018 (y3: 1 training, 10 participants, 10 reached anew, 8 trained anew);
district Ninh Hải 2017 (y2: 20 participants, 15 anew, 1 campaign, 1 contest); provincial 2019 (y4: 4 airings,
5,000 estimated). Totals: 2017 2 activities, 70 participants, 55 reached anew, 2 campaign activities, 1 contest;
2018 1; 2019 2, 4 airings, 300 copies, 5,000 estimated.

An Giang (province 91 = communes 30313 and 30316), 2021–2025: 1.1 (vn_law) 2021 50/400 = 12.5% off track, 2023
30/400 = 7.5% on track, 2025 18/400 = 4.5% met (target ≤ 5%, 2025); 2022 and 2024 have no cell: no data, with the
same target in force (the targets table's 2025 row). 2021's icls cell (40/400) must not show. Activities: a1 2021
commune committee at commune level in 30313, 30 participants; a2 2022 old-coded in Mỹ Hoà Hưng (old 30313 of
Long Xuyên, 883) by a district Youth Union, 12 participants; a3 2023 a parent sanction by the commune committee, 2
parents (suppressed, under 5); a4 2024 a provincial agency's broadcast, 10 airings, an estimated 20,000; a5 (2026)
and a6 (another province) are not counted.
"""

from datetime import date

import dagster as dg
from openpyxl import load_workbook
from sqlalchemy import insert

from dagster_project.defs.reports.review import review_report
from dagster_project.resources import WarehouseResource
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.report.warehouse_state import _raw, cell
from warehouse.indicators.periods import Period
from warehouse.report import gather_report, render_html
from warehouse.report.area import ReportArea
from warehouse.report.organisations import organisation_report
from warehouse.report.review import gather_review
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import (
    Activity,
    ActivityReach,
    AreaCommune,
    IndicatorValue,
    LegacyCommune,
    RawSubmission,
    ReferenceUpload,
    Target,
)

NINH_THUAN = ReportArea("province", "58", "vn-legacy")
AN_GIANG = ReportArea("province", "91", "vn-2025-07")
OLD = [  # legacy code, name, district code, district name, province code, province name, new commune, province
    ("22783", "Xã Phước Bình", "584", "Huyện Bác Ái", "58", "Tỉnh Ninh Thuận", "22786", "56"),
    ("22786", "Xã Phước Hòa", "584", "Huyện Bác Ái", "58", "Tỉnh Ninh Thuận", "22786", "56"),
    ("22846", "Xã Vĩnh Hải", "586", "Huyện Ninh Hải", "58", "Tỉnh Ninh Thuận", "22846", "56"),
    ("30313", "Xã Mỹ Hoà Hưng", "883", "Thành phố Long Xuyên", "89", "Tỉnh An Giang", "30313", "91"),
]
YOUTH = {"organiser_type": "mass_organisation", "organisation": "youth_union"}


def activity(activity_id, day, commune, kind, level, male=None, female=None, reach=(), legacy=True, **columns):
    return {"activity_id": activity_id, "activity_date": day, "commune_code": commune, "activity_type": kind,
            "organiser_level": level, "male": male, "female": female, "reach": reach, "legacy": legacy, **columns}


ACTIVITIES = [
    activity("y1", date(2017, 3, 26), "22783", "communication_event", "district", 20, 30, [("children", 40, 40, None)],
             campaign="vi_dan_em", **YOUTH),
    activity("y2", date(2017, 6, 1), "22846", "contest_performance", "district", 10, 10, [("children", 20, 15, None)],
             campaign="vi_dan_em", **YOUTH),
    activity("y3", date(2018, 5, 15), "22786", "training_course", "district", 5, 5,
             [("youth_pioneer_cadres", 10, 10, 8)], campaign="no_campaign", **YOUTH),
    activity("y4", date(2019, 6, 12), "22783", "media_broadcast", "provincial", airings=4, estimated_reach=5000,
             reach_basis="station_audience", channel="district_radio", **YOUTH),
    activity("y5", date(2019, 9, 1), "22846", "materials_distribution", "commune", copies=300, channel="leaflets",
             **YOUTH),
    activity("w1", date(2020, 4, 1), "22783", "communication_event", "district", 5, 5, [("parents_caregivers", 10, 10,
                                                                                          None)],
             organiser_type="mass_organisation", organisation="women_union"),
    activity("y6", date(2021, 3, 1), "22783", "communication_event", "district", 5, 5, [("children", 10, 10, None)],
             **YOUTH),
    activity("y7", date(2019, 3, 1), "30313", "communication_event", "district", 5, 5, [("children", 10, 10, None)],
             **YOUTH),
    activity("a1", date(2021, 5, 1), "30313", "communication_event", "commune", 10, 20, [("parents_caregivers", 30, 25,
                                                                                          None)],
             legacy=False, organiser_type="commune_committee"),
    activity("a2", date(2022, 3, 1), "30313", "community_meeting", "district", 6, 6, [("children", 12, 12, None)],
             **YOUTH),
    activity("a3", date(2023, 8, 20), "30316", "parent_sanction", "commune", legacy=False, sanctioned_people=2,
             sanction_warning=True, sanction_fine=False, sanction_agency="commune_committee",
             organiser_type="commune_committee"),
    activity("a4", date(2024, 6, 12), "30316", "media_broadcast", "provincial", legacy=False, airings=10,
             estimated_reach=20_000, reach_basis="station_audience", channel="television",
             organiser_type="provincial_agency"),
    activity("a5", date(2026, 1, 5), "30316", "communication_event", "commune", 5, 5, [("children", 10, 10, None)],
             legacy=False, organiser_type="commune_committee"),
    activity("a6", date(2022, 1, 5), "00004", "communication_event", "commune", 5, 5, [("children", 10, 10, None)],
             legacy=False, organiser_type="commune_committee"),
]


def build(url: str):
    engine = make_engine(url)
    upgrade(engine)
    rows, reach = [], []
    for n, spec in enumerate(ACTIVITIES, start=1):
        spec = dict(spec)
        day, male, female, groups, legacy = (spec.pop(k) for k in ("activity_date", "male", "female", "reach",
                                                                   "legacy"))
        total = None if male is None else male + female
        province = {("22783", True): "58", ("22786", True): "58", ("22846", True): "58", ("30313", True): "89",
                    ("00004", False): "01"}.get((spec["commune_code"], legacy), "91")
        rows.append({**dict.fromkeys(Activity.__table__.columns.keys()), "raw_submission_id": n, "change_seq": n, "source": "test", "form_version": "2026120702",
                     "activity_date": day, "year": day.year, "quarter": (day.month - 1) // 3 + 1,
                     "province_code": province,
                     "code_list_version": "vn-legacy" if legacy else "vn-2025-07", "training": spec["activity_type"]
                     == "training_course", "participants_male": male, "participants_female": female,
                     "participants_total": total, "has_participant_list": False, **spec})
        reach += [{"activity_id": spec["activity_id"], "audience": audience, "reached": n_, "reached_new": new,
                   "reached_new_trained": trained} for audience, n_, new, trained in groups]
    with engine.begin() as conn:
        conn.execute(insert(RawSubmission), [_raw(n) for n in range(1, len(ACTIVITIES) + 1)])
        conn.execute(insert(Activity), rows)
        conn.execute(insert(ActivityReach), reach)
        conn.execute(insert(LegacyCommune), [dict(zip(
            ("legacy_code", "legacy_name", "legacy_district_code", "legacy_district_name", "legacy_province_code",
             "legacy_province_name", "commune_code", "province_code"), row), partly_merged=False) for row in OLD])
        conn.execute(insert(AreaCommune), [
            {"area_level": level, "area_code": code, "code_list_version": "vn-2025-07", "commune_code": commune,
             "area_name": name, "exact": True}
            for commune in ("30313", "30316")
            for level, code, name in (("province", "91", "Tỉnh An Giang"),
                                      ("commune", commune, {"30313": "Xã Mỹ Hòa Hưng", "30316": "Phường Châu Đốc"}[
                                          commune]))])
        where = {"code": "91", "version": "vn-2025-07", "rule_set": "vn_law"}
        target = {"target": ("<=", 0.05, 2025)}
        conn.execute(insert(IndicatorValue), [
            cell("1.1", "household_survey", 50, 400, 0.125, period="2021", status="off_track", **target, **where),
            cell("1.1", "household_survey", 40, 400, 0.1, period="2021", status="off_track", code="91",
                 version="vn-2025-07", rule_set="icls", **target),
            cell("1.1", "household_survey", 30, 400, 0.075, period="2023", status="on_track", **target, **where),
            cell("1.1", "household_survey", 18, 400, 0.045, period="2025", status="met", **target, **where),
        ])
        conn.execute(insert(ReferenceUpload), [{"upload_id": "t", "kind": "targets", "file_name": "t.csv",
                                                "content_sha256": "0" * 64, "rows": 1, "loaded_at": "2026-11-01"}])
        conn.execute(insert(Target), [{
            "indicator_id": "1.1", "jurisdiction_level": "province", "jurisdiction_code": "91",
            "code_list_version": "vn-2025-07", "year": 2025, "jurisdiction_name": "Tỉnh An Giang", "comparator": "<=",
            "value": 0.05, "source_document": "Quyết định 1871/QĐ-UBND", "note": None, "upload_id": "t"}])
    return engine


def test_ninh_thuan_youth_union_2016_2020(tmp_path):
    engine = build(f"sqlite:///{tmp_path / 'w.sqlite'}")
    report = organisation_report(engine, NINH_THUAN, 2016, 2020, "youth_union")
    assert report.area_name == "Tỉnh Ninh Thuận"
    got = [(r.unit.level, r.unit.district_name, r.year, r.measures["activities"], r.measures["trainings"],
            r.measures["participants"], r.measures["participants_male"], r.measures["reached_new"],
            r.measures["trained_new"], r.measures["campaign_activities"], r.measures["contests"],
            r.measures["airings"], r.measures["copies"], r.measures["estimated_reach"]) for r in report.rows]
    assert got == [
        ("commune", "Huyện Ninh Hải", 2019, 1, 0, 0, 0, 0, 0, 0, 0, 0, 300, 0),
        ("district", "Huyện Bác Ái", 2017, 1, 0, 50, 20, 40, 0, 1, 0, 0, 0, 0),
        ("district", "Huyện Bác Ái", 2018, 1, 1, 10, 5, 10, 8, 0, 0, 0, 0, 0),
        ("district", "Huyện Ninh Hải", 2017, 1, 0, 20, 10, 15, 0, 1, 1, 0, 0, 0),
        ("provincial", None, 2019, 1, 0, 0, 0, 0, 0, 0, 0, 4, 0, 5000),
    ]
    assert {r.unit.organisation for r in report.rows} == {"youth_union"}
    assert [(t.year, t.measures["activities"], t.measures["participants"], t.measures["reached_new"],
             t.measures["campaign_activities"], t.measures["airings"], t.measures["copies"])
            for t in report.totals] == [(2017, 2, 70, 55, 2, 0, 0), (2018, 1, 10, 10, 0, 0, 0),
                                         (2019, 2, 0, 0, 0, 4, 300)]


def test_an_giang_review_2021_2025(tmp_path):
    engine = build(f"sqlite:///{tmp_path / 'w.sqlite'}")
    review = gather_review(engine, AN_GIANG, 2021, 2025)
    labour = next(i for i in review.indicators if i.indicator_id == "1.1")
    assert [(y.year, y.numerator, y.denominator, y.value, y.status, y.target_comparator, y.target_value,
             y.target_year) for y in labour.years] == [
        (2021, 50, 400, 0.125, "off_track", "<=", 0.05, 2025),
        (2022, None, None, None, "no_data", "<=", 0.05, 2025),
        (2023, 30, 400, 0.075, "on_track", "<=", 0.05, 2025),
        (2024, None, None, None, "no_data", "<=", 0.05, 2025),
        (2025, 18, 400, 0.045, "met", "<=", 0.05, 2025)]
    units = [(r.unit.organiser_type, r.unit.organisation, r.unit.level, r.unit.district_name, r.year,
              r.measures["activities"], r.measures["participants"], r.measures["airings"],
              r.measures["estimated_reach"], r.measures["sanctioned_people"])
             for r in review.organisations.rows]
    assert units == [
        ("commune_committee", None, "commune", None, 2021, 1, 30, 0, 0, 0),
        ("commune_committee", None, "commune", None, 2023, 1, 0, 0, 0, None),  # 2 parents: suppressed
        ("mass_organisation", "youth_union", "district", "Thành phố Long Xuyên", 2022, 1, 12, 0, 0, 0),
        ("provincial_agency", None, "provincial", None, 2024, 1, 0, 10, 20_000, 0),
    ]


def test_the_review_and_the_youth_union_report_from_the_ui(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    build(url).dispose()
    resources = {"warehouse": WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY)}
    configs = [({"area": "legacy-province-58", "first_year": 2016, "last_year": 2020, "organisation": "youth_union"},
                "legacy-province-58/2016-2020/bao-cao-youth_union-legacy-province-58-2016-2020-vi.xlsx"),
               ({"area": "province-91"}, "province-91/2021-2025/tong-ket-province-91-2021-2025-vi.xlsx")]
    for config, file in configs:
        result = dg.materialize([review_report], resources=resources, run_config={"ops": {"review_report": {
            "config": {**config, "output_folder": str(tmp_path)}}}})
        assert result.success
        assert (tmp_path / file).exists()
    youth = load_workbook(tmp_path / configs[0][1]).active
    assert youth["A1"].value == ("Báo cáo kết quả hoạt động phòng ngừa, giảm thiểu lao động trẻ em giai đoạn "
                                 "2016–2020 theo đơn vị — Tỉnh Ninh Thuận")
    header = [c.value for c in youth[3]]
    district = next(r for r in youth.iter_rows(min_row=4, values_only=True) if r[3] == "Huyện Bác Ái" and r[4] == 2017)
    assert district[:5] == ("Mặt trận Tổ quốc, đoàn thể (Đoàn Thanh niên, Hội Liên hiệp Phụ nữ, Hội Nông dân...)",
                            "Đoàn Thanh niên Cộng sản Hồ Chí Minh (Đoàn, Hội, Đội)", "Huyện (trước 01/7/2025)",
                            "Huyện Bác Ái", 2017)
    assert district[header.index("Lượt người tham dự")] == 50
    review = load_workbook(tmp_path / configs[1][1])
    sheet = review["Chỉ tiêu theo năm"]
    assert sheet["A1"].value.startswith("Báo cáo tổng kết thực hiện Chương trình phòng ngừa, giảm thiểu lao động "
                                        "trẻ em giai đoạn 2021–2025 — Tỉnh An Giang")
    row_2022 = next(r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0] == "1.1" and r[3] == 2022)
    assert (row_2022[4], row_2022[7], row_2022[8], row_2022[9]) == (None, 0.05, 2025, "Chưa có số liệu")
    sanction = next(r for r in review["Theo đơn vị tổ chức"].iter_rows(min_row=4, values_only=True) if r[4] == 2023)
    assert "Ẩn" in str(sanction[5 + 13])  # parents sanctioned, the 14th measure: suppressed, not zero


def test_the_progress_report_shows_each_kind_s_own_measures(tmp_path):
    """a4 (12 June 2024) is a broadcast: 10 airings, an estimated 20,000, no participants; a3 (2023) sanctions 2
    parents: suppressed, never shown as zero."""
    engine = build(f"sqlite:///{tmp_path / 'w.sqlite'}")
    quarter = gather_report(engine, AN_GIANG, Period.parse("2024-Q2"))
    assert (quarter.activities.activities, quarter.activities.participants) == (1, 0)
    assert quarter.activities.records == (("airings", 10), ("estimated_reach", 20_000))
    sanctions = gather_report(engine, AN_GIANG, 2023)
    assert sanctions.activities.records == (("sanctioned_people", None),)
    assert ("<td>Cha mẹ, người chăm sóc bị xử phạt</td><td class=num>Ẩn</td>" in render_html(sanctions))
