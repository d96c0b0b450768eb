"""The activity report filled in ODK's own form engine (@getodk/xforms-engine), as an organiser would."""

from __future__ import annotations

import pytest

from tests.forms.engine_session import violation
from tests.forms.xlsform_tools import FORMS_DIR

pytestmark = pytest.mark.engine

FORM = FORMS_DIR / "activity_report.xlsx"
AUDIENCE = ["provincial_district_officials", "commune_officials", "child_protection_staff", "teachers_staff",
            "parents_caregivers", "children", "enterprises", "cooperatives", "craft_village_households"]


def start(form, activity_type="communication_event", groups=("parents_caregivers", "children"), male=14,
          female=26) -> None:
    """An activity in Mỹ Hòa Hưng for `groups`, attended by `male` + `female` people."""
    form.answer({
        "activity_date": "2026-10-15", "reporter": "Võ Thị Mai", "activity_type": activity_type,
        "title": "Truyền thông phòng ngừa lao động trẻ em tại ấp Mỹ An", "topics": ["child_labour_law", "child_rights"],
        "location/province": "91", "location/commune": "30313", "location/venue": "Nhà văn hóa ấp Mỹ An",
        "organiser_type": "commune_committee", "organiser_name": "Ủy ban nhân dân xã Mỹ Hòa Hưng",
        "audience_groups": list(groups), "participants/male": male, "participants/female": female,
        "participants/total": male + female, "participants/new": male + female - 5,
    })


def test_vietnamese_first(form):
    assert form.languages == ["Vietnamese (vi)", "English (en)"] and form.language == "Vietnamese (vi)"
    assert form.state("audience_groups")["label"] == "Đối tượng tham dự"


def test_blank_form_cannot_be_finalized(form):
    payload = form.submit()
    assert payload["status"] == "pending"
    assert {v["reference"].removeprefix("/data/") for v in payload["violations"]} == {
        "reporter", "activity_type", "title", "topics", "location/province", "location/commune", "location/venue",
        "organiser_type", "organiser_name", "audience_groups", "participants/male", "participants/female",
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
