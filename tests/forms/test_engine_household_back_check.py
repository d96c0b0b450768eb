"""The household back-check filled in ODK's own form engine (@getodk/xforms-engine), as a supervisor would."""

from __future__ import annotations

import pytest

from tests.forms.engine_session import violation
from tests.forms.xlsform_tools import FORMS_DIR

pytestmark = pytest.mark.engine

FORM = FORMS_DIR / "household_back_check.xlsx"


def test_vietnamese_first(form):
    assert form.languages == ["Vietnamese (vi)", "English (en)"] and form.language == "Vietnamese (vi)"
    assert form.state("household_code")["label"] == "Mã hộ trên danh sách phúc tra"
    form.set_language("English (en)")
    assert form.state("visited")["label"].startswith("Recently, did an enumerator come")


def test_blank_form_cannot_be_finalized(form):
    payload = form.submit()
    assert payload["status"] == "pending"
    assert {v["reference"].removeprefix("/data/") for v in payload["violations"]} == {
        "back_checker", "household_code", "visited", "hh_size", "n_children", "livelihood"}


@pytest.mark.parametrize(("code", "accepted"), [
    ("3f2a9c01", True), ("3F2A9C01", False), ("3f2a9c0", False), ("3f2a9c012", False), ("uuid:3f2", False),
])
def test_household_code_is_eight_hexadecimal_characters(form, code, accepted):
    assert (violation(form.set("household_code", code)) is None) == accepted


@pytest.mark.parametrize(("size", "children", "rejected"), [
    (4, 2, None), (1, 0, None), (0, None, "hh_size"), (31, None, "hh_size"), (3, 4, "n_children"),
])
def test_household_size_and_children(form, size, children, rejected):
    states = {"hh_size": form.set("hh_size", size)}
    if children is not None:
        states["n_children"] = form.set("n_children", children)
    assert {name for name, state in states.items() if violation(state)} == ({rejected} if rejected else set())


def test_complete_back_check_is_serialized_with_its_answers(form):
    form.answer({"back_check_date": "2026-03-04", "back_checker": "Trần Thị Giám", "household_code": "3f2a9c01",
                 "visited": "yes", "hh_size": 5, "n_children": 2, "livelihood": "craft"})
    payload = form.submit()
    assert (payload["status"], payload["violations"]) == ("ready", [])
    root = payload["root"]
    assert root.get("id") == "household_back_check"
    assert root.findtext("meta/instanceName") == "3f2a9c01 2026-03-04"
    assert [root.findtext(name) for name in ("household_code", "visited", "hh_size", "n_children", "livelihood")] == [
        "3f2a9c01", "yes", "5", "2", "craft"]
    assert root.findtext("start") and root.findtext("end")
