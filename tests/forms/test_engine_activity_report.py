"""The activity report filled in ODK's own form engine (@getodk/xforms-engine), as an organiser would."""

from __future__ import annotations

import pytest

from tests.forms.engine_session import violation
from tests.forms.xlsform_tools import FORMS_DIR

pytestmark = pytest.mark.engine

FORM = FORMS_DIR / "activity_report.xlsx"
AUDIENCE = ["provincial_district_officials", "commune_officials", "child_protection_staff", "teachers_staff",
            "parents_caregivers", "children", "enterprises", "cooperatives", "craft_village_households",
            "youth_pioneer_cadres", "media_staff", "labour_inspectors", "trainers", "volunteers"]
AUDIENCE_PARTS = ("location/venue", "audience_groups", "participants", "reached")
RECORD_GROUPS = ("media", "sanction", "pledge", "supervision")


def start(form, activity_type="communication_event", groups=("parents_caregivers", "children"), male=14,
          female=26) -> None:
    """An activity in Mỹ Hòa Hưng for `groups`, attended by `male` + `female` people."""
    form.answer({
        "activity_date": "2026-10-15", "reporter": "Võ Thị Mai", "activity_type": activity_type,
        "campaign": "no_campaign",
        "title": "Truyền thông phòng ngừa lao động trẻ em tại ấp Mỹ An", "topics": ["child_labour_law", "child_rights"],
        "location/province": "91", "location/commune": "30313", "location/venue": "Nhà văn hóa ấp Mỹ An",
        "organiser_type": "commune_committee", "organiser_level": "commune",
        "organiser_name": "Ủy ban nhân dân xã Mỹ Hòa Hưng", "audience_groups": list(groups), "participants/male": male, "participants/female": female,
        "participants/total": male + female, "participants/new": male + female - 5,
    })


def test_vietnamese_first(form):
    assert form.languages == ["Vietnamese (vi)", "English (en)"] and form.language == "Vietnamese (vi)"
    assert form.state("audience_groups")["label"] == "Đối tượng tham dự"


def test_blank_form_cannot_be_finalized(form):
    payload = form.submit()
    assert payload["status"] == "pending"
    assert {v["reference"].removeprefix("/data/") for v in payload["violations"]} == {
        "reporter", "activity_type", "campaign", "title", "topics", "location/province", "location/commune",
        "location/venue",
        "organiser_type", "organiser_level", "organiser_name", "audience_groups", "participants/male", "participants/female",
        "participants/total", "participants/new"}


@pytest.mark.parametrize(("male", "female", "total", "accepted"), [
    (14, 26, 40, True), (14, 26, 39, False), (14, 26, 41, False), (0, 0, 0, False), (0, 1, 1, True),
])
def test_total_is_male_plus_female(form, male, female, total, accepted):
    form.answer({"participants/male": male, "participants/female": female})
    assert violation(form.set("participants/total", total)) == (None if accepted else "constraint")


def test_new_participants_at_most_the_total(form):
    start(form)
    assert violation(form.set("participants/new", 41)) == "constraint"
    assert violation(form.set("participants/new", 40)) is None


def test_participant_list_is_an_optional_file(form):
    state = form.state("participants/participant_list")
    assert (state["type"], state["relevant"], state["required"]) == ("upload", True, False)


def test_counts_asked_for_the_selected_groups_only(form):
    start(form, groups=("teachers_staff", "enterprises"))
    asked = {code for code in AUDIENCE if form.state(f"reached/{code}")["relevant"]}
    assert asked == {"teachers_staff", "enterprises"}
    assert form.state("reached/enterprises_new")["required"]
    assert form.state("reached/enterprises")["label"] == "Doanh nghiệp: số cơ sở có người tham dự"
    assert form.state("reached/teachers_staff")["label"].endswith(": số người tham dự")


@pytest.mark.parametrize(("activity_type", "asked"), [("training_course", True), ("communication_event", False),
                                                      ("workshop", False)])
def test_first_training_counts_only_for_a_training_course(form, activity_type, asked):
    start(form, activity_type=activity_type, groups=("commune_officials",))
    assert form.state("reached/commune_officials_new_trained")["relevant"] == asked
    assert not form.state("reached/teachers_staff_new_trained")["relevant"]


@pytest.mark.parametrize(("attended", "new", "new_trained", "rejected"), [
    (0, None, None, "attended"), (41, None, None, "attended"), (10, 11, None, "new"), (10, 4, 3, "new_trained"),
    (10, 4, 11, "new_trained"), (10, 4, 4, None), (10, 0, 10, None),
])
def test_group_counts(form, attended, new, new_trained, rejected):
    start(form, activity_type="training_course", groups=("child_protection_staff",))
    code = "reached/child_protection_staff"
    states = {"attended": form.set(code, attended)}
    if new is not None:
        states["new"] = form.set(f"{code}_new", new)
    if new_trained is not None:
        states["new_trained"] = form.set(f"{code}_new_trained", new_trained)
    assert {name for name, state in states.items() if violation(state)} == ({rejected} if rejected else set())


def test_complete_training_report_is_serialized_with_its_answers(form):
    start(form, activity_type="training_course", groups=("commune_officials", "cooperatives"), male=9, female=6)
    form.answer({
        "reached/commune_officials": 12, "reached/commune_officials_new": 2, "reached/commune_officials_new_trained": 9,
        "reached/cooperatives": 3, "reached/cooperatives_new": 1, "reached/cooperatives_new_trained": 3,
    })
    payload = form.submit()
    assert (payload["status"], payload["violations"]) == ("ready", [])
    root = payload["root"]
    assert root.get("id") == "activity_report"
    assert root.findtext("meta/instanceName") == "2026-10-15 Truyền thông phòng ngừa lao động trẻ em tại ấp Mỹ An"
    assert root.findtext("audience_groups") == "commune_officials cooperatives"
    assert [root.findtext(f"participants/{name}") for name in ("male", "female", "total", "new")] == [
        "9", "6", "15", "10"]
    reached = {element.tag: element.text for element in root.find("reached") if element.text}
    assert reached == {"commune_officials": "12", "commune_officials_new": "2", "commune_officials_new_trained": "9",
                       "cooperatives": "3", "cooperatives_new": "1", "cooperatives_new_trained": "3"}


def record(form, activity_type, answers, campaign="no_campaign") -> dict:
    """A report of `activity_type` with no audience in Mỹ Hòa Hưng, filled with `answers`, submitted."""
    form.answer({
        "activity_date": "2026-06-12", "reporter": "Võ Thị Mai", "activity_type": activity_type, "campaign": campaign,
        "title": "Tuyên truyền Ngày Thế giới phòng, chống lao động trẻ em", "topics": ["child_labour_law"],
        "location/province": "91", "location/commune": "30313", "organiser_type": "commune_committee",
        "organiser_level": "commune", "organiser_name": "Ủy ban nhân dân xã Mỹ Hòa Hưng", **answers,
    })
    return form.submit()


def test_a_broadcast_is_finalized_without_participants(form):
    payload = record(form, "media_broadcast", {
        "media/broadcast_channel": "commune_radio", "media/airings": 8, "media/estimated_reach": 3200,
        "media/reach_basis": "households_covered"}, campaign="world_day")
    for path in (*AUDIENCE_PARTS, "participants/total", "sanction", "pledge", "supervision", "media/material"):
        assert not form.state(path)["relevant"], path
    assert (payload["status"], payload["violations"]) == ("ready", [])
    root = payload["root"]
    assert [root.findtext(f"media/{name}") for name in ("broadcast_channel", "airings", "estimated_reach",
                                                          "reach_basis")] == ["commune_radio", "8", "3200",
                                                                              "households_covered"]
    assert root.findtext("campaign") == "world_day" and root.findtext("has_audience") == "no"
    assert not root.findtext("participants/total") and not root.findtext("audience_groups")


def test_a_leaflet_print_run_without_an_estimate(form):
    payload = record(form, "materials_distribution", {"media/material": "leaflets", "media/copies": 5000})
    assert not form.state("media/reach_basis")["relevant"] and not form.state("media/airings")["relevant"]
    assert (payload["status"], payload["violations"]) == ("ready", [])
    assert payload["root"].findtext("media/copies") == "5000"


def test_an_estimate_needs_its_basis(form):
    payload = record(form, "media_broadcast", {"media/broadcast_channel": "social_media", "media/airings": 2,
                                               "media/estimated_reach": 12000})
    assert form.state("media/reach_basis")["required"]
    assert {v["reference"].removeprefix("/data/") for v in payload["violations"]} == {"media/reach_basis"}


@pytest.mark.parametrize(("path", "value", "accepted"), [
    ("media/airings", 0, False), ("media/airings", 1, True), ("media/estimated_reach", 0, False),
    ("media/estimated_reach", 100_000_001, False), ("media/copies", 1_000_001, False),
])
def test_media_measures_are_bounded(form, path, value, accepted):
    form.set("activity_type", "media_broadcast" if path != "media/copies" else "materials_distribution")
    assert violation(form.set(path, value)) == (None if accepted else "constraint")


def test_a_campaign_launch_has_participants_and_its_movement(form):
    start(form, activity_type="campaign_launch", groups=("youth_pioneer_cadres", "children"), male=30, female=30)
    form.set("campaign", "vi_dan_em")
    assert all(form.state(path)["relevant"] for path in AUDIENCE_PARTS)
    assert not any(form.state(group)["relevant"] for group in RECORD_GROUPS)
    form.answer({"reached/youth_pioneer_cadres": 10, "reached/youth_pioneer_cadres_new": 10,
                 "reached/children": 50, "reached/children_new": 40})
    payload = form.submit()
    assert (payload["status"], payload["violations"]) == ("ready", [])
    assert payload["root"].findtext("reached/youth_pioneer_cadres") == "10"
    assert form.state("reached/youth_pioneer_cadres")["label"] == (
        "Cán bộ Đoàn Thanh niên, Đội Thiếu niên Tiền phong: số người tham dự")


def test_pledges_signed(form):
    payload = record(form, "pledge_signing", {"pledge/pledge_signer": "craft_village_households",
                                              "pledge/pledges_signed": 42})
    assert (payload["status"], payload["violations"]) == ("ready", [])
    assert payload["root"].findtext("pledge/pledges_signed") == "42"
    assert not payload["root"].findtext("participants/total")


def test_a_supervision_visit(form):
    payload = record(form, "supervision_visit", {"supervision/supervisor_level": "provincial",
                                                 "supervision/issues_found": "yes"})
    assert not form.state("participants")["relevant"]
    assert (payload["status"], payload["violations"]) == ("ready", [])
    assert payload["root"].findtext("supervision/supervisor_level") == "provincial"


def test_a_parent_sanction_asks_the_fines_only_with_a_fine(form):
    form.set("activity_type", "parent_sanction")
    form.set("sanction/sanction_kinds", ["warning"])
    assert not form.state("sanction/fines_vnd")["relevant"]
    payload = record(form, "parent_sanction", {"sanction/sanctioned_people": 2, "sanction/sanction_kinds": ["fine"],
                                               "sanction/sanction_agency": "commune_committee"})
    assert {v["reference"].removeprefix("/data/") for v in payload["violations"]} == {"sanction/fines_vnd"}
    form.set("sanction/fines_vnd", 3_000_000)
    payload = form.submit()
    assert (payload["status"], payload["violations"]) == ("ready", [])
    assert payload["root"].findtext("sanction/fines_vnd") == "3000000"


@pytest.mark.parametrize(("activity_type", "group"), [
    ("media_broadcast", "media"), ("materials_distribution", "media"), ("parent_sanction", "sanction"),
    ("pledge_signing", "pledge"), ("supervision_visit", "supervision"), ("child_consultation", None),
    ("contest_performance", None), ("training_course", None),
])
def test_each_type_asks_its_own_group(form, activity_type, group):
    form.set("activity_type", activity_type)
    assert {g for g in RECORD_GROUPS if form.state(g)["relevant"]} == ({group} if group else set())
    assert form.state("participants")["relevant"] == (group is None)


def test_a_district_youth_union_before_july_2025_only(form):
    """Which mass organisation is asked of a mass organisation only; a district level only before 1 July 2025."""
    start(form)
    assert not form.state("organisation")["relevant"]
    form.answer({"organiser_type": "mass_organisation", "organiser_name": "Huyện đoàn Ninh Hải"})
    assert form.state("organisation")["relevant"] and form.state("organisation")["required"]
    form.set("organisation", "youth_union")
    assert violation(form.set("organiser_level", "district")) == "constraint"  # an activity of 15/10/2026
    form.set("activity_date", "2019-06-01")
    assert violation(form.set("organiser_level", "district")) is None
    form.answer({"reached/parents_caregivers": 20, "reached/parents_caregivers_new": 20,
                 "reached/children": 20, "reached/children_new": 20})
    payload = form.submit()
    assert (payload["status"], payload["violations"]) == ("ready", [])
    assert [payload["root"].findtext(name) for name in ("organisation", "organiser_level")] == [
        "youth_union", "district"]
