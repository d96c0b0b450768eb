"""The workplace inspection filled in ODK's own form engine (@getodk/xforms-engine), as an inspector would."""

from __future__ import annotations

import re

import pytest

from tests.forms.engine_session import violation
from tests.forms.xlsform_tools import FORMS_DIR

pytestmark = pytest.mark.engine

FORM = FORMS_DIR / "workplace_inspection.xlsx"
INSPECTION = "2026-11-18"
AN_GIANG, MY_HOA_HUNG = "91", "30313"


def start(form, n_young_workers=1, establishment_type="household_business") -> None:
    """A surprise inspection of a craft-village household business in Mỹ Hòa Hưng with `n_young_workers`."""
    form.answer({
        "inspection_date": INSPECTION, "inspector": "Phạm Văn Đức", "inspection_kind": "surprise",
        "inspecting_agency": "joint_commune_team",
        "location/province": AN_GIANG, "location/commune": MY_HOA_HUNG,
        "establishment/establishment_type": establishment_type, "establishment/establishment_name": "Cơ sở Đan lát Hòa",
        "establishment/establishment_sector": "industry_construction", "establishment/craft_village": "yes",
        "establishment/craft_village_name": "Làng nghề đan lát Phú Hòa", "establishment/total_workers": 12,
        "establishment/n_young_workers": n_young_workers,
        "employer/informed": "yes", "employer/informed_date": "2026-05-01", "employer/trained": "no",
    })


def young_worker(form, i: int, *, dob=None, age=None) -> None:
    """Every question of worker `i`, born on `dob` or of stated `age`: weaving, 5 h a day, 24 h a week."""
    w = f"young_worker[{i}]"
    form.answer({f"{w}/worker_name": f"Người lao động {i}", f"{w}/sex": "male", f"{w}/dob_known": "yes" if dob else "no"})
    form.set(f"{w}/dob" if dob else f"{w}/age_stated", dob or age)
    form.answer({
        f"{w}/work/work_kind": ["weaving_natural"], f"{w}/work/workplace": ["workshop_factory"],
        f"{w}/work/sector": "industry_construction", f"{w}/work/hours_day": 5, f"{w}/work/hours_week": 24,
        f"{w}/work/night_work": "no", f"{w}/work/overtime": "yes", f"{w}/work/hazards": ["dust_fumes_gas"],
        f"{w}/in_register": "no",
    })
    if form.state(f"{w}/contract_signed")["relevant"]:
        form.answer({f"{w}/contract_signed": "no", f"{w}/health_certificate": "yes", f"{w}/health_checkups": "no"})


def test_vietnamese_first(form):
    assert form.languages == ["Vietnamese (vi)", "English (en)"] and form.language == "Vietnamese (vi)"
    assert form.state("inspection_kind")["label"] == "Hình thức kiểm tra"


def test_blank_form_cannot_be_finalized(form):
    payload = form.submit()
    assert payload["status"] == "pending"
    assert {v["reference"].removeprefix("/data/") for v in payload["violations"]} == {
        "inspector", "inspection_kind", "inspecting_agency",
        "location/province", "location/commune", "establishment/establishment_type",
        "establishment/establishment_name", "establishment/establishment_sector", "establishment/craft_village",
        "establishment/total_workers", "establishment/n_young_workers", "employer/informed", "employer/trained",
        "findings/violations", "findings/actions"}


@pytest.mark.parametrize(("establishment_type", "asked"), [("enterprise", True), ("cooperative", False),
                                                            ("craft_village_workshop", False)])
def test_enterprise_size_only_for_enterprises(form, establishment_type, asked):
    form.set("establishment/establishment_type", establishment_type)
    assert form.state("establishment/enterprise_size")["relevant"] == asked


def test_craft_village_name_only_in_a_craft_village(form):
    form.set("establishment/craft_village", "no")
    assert not form.state("establishment/craft_village_name")["relevant"]
    form.set("establishment/craft_village", "yes")
    assert form.state("establishment/craft_village_name")["required"]


@pytest.mark.parametrize(("total", "young", "rejected"), [
    (0, None, "total_workers"), (12, 13, "n_young_workers"), (500, 101, "n_young_workers"), (12, 12, None),
    (1, 0, None),
])
def test_worker_counts(form, total, young, rejected):
    states = {"total_workers": form.set("establishment/total_workers", total)}
    if young is not None:
        states["n_young_workers"] = form.set("establishment/n_young_workers", young)
    assert {name for name, state in states.items() if violation(state)} == ({rejected} if rejected else set())


def test_one_repeat_instance_per_young_worker(form):
    start(form, n_young_workers=3)
    assert form.state("young_worker")["count"] == 3
    form.set("establishment/n_young_workers", 0)
    assert form.state("young_worker")["count"] == 0


@pytest.mark.parametrize("topic", ["informed", "trained"])
def test_when_the_employer_was_informed_or_trained(form, topic):
    form.set("inspection_date", INSPECTION)
    form.set(f"employer/{topic}", "dont_know")
    assert not form.state(f"employer/{topic}_date")["relevant"]
    form.set(f"employer/{topic}", "yes")
    assert violation(form.set(f"employer/{topic}_date", "2026-12-01")) == "constraint"  # after the inspection
    assert violation(form.set(f"employer/{topic}_date", "2025-03-01")) is None


@pytest.mark.parametrize(("dob", "age", "accepted"), [
    ("2021-11-18", "5", True), ("2009-11-18", "17", True), ("2008-11-18", "18", False), ("2021-11-19", "4", False),
])
def test_age_on_the_inspection_date(form, dob, age, accepted):
    start(form)
    form.set("young_worker[1]/dob_known", "yes")
    state = form.set("young_worker[1]/dob", dob)
    assert form.state("young_worker[1]/age")["value"] == age
    assert violation(state) == (None if accepted else "constraint")


@pytest.mark.parametrize(("age", "under_15"), [(12, True), (14, True), (15, False), (17, False)])
def test_contract_and_health_checks_under_15(form, age, under_15):
    start(form)
    form.answer({"young_worker[1]/dob_known": "no", "young_worker[1]/age_stated": age})
    for path in ("contract_signed", "health_certificate", "health_checkups"):
        assert form.state(f"young_worker[1]/{path}")["relevant"] == under_15, path
    assert form.state("young_worker[1]/in_register")["relevant"]


def test_work_is_always_asked_with_the_household_survey_constraints(form):
    start(form)
    assert form.state("young_worker[1]/work")["relevant"]
    assert violation(form.set("young_worker[1]/work/hours_day", 10)) is None
    assert violation(form.set("young_worker[1]/work/hours_week", 8)) == "constraint"
    assert violation(form.set("young_worker[1]/work/hazards", ["none", "heights"])) == "constraint"
    form.answer({"young_worker[1]/dob_known": "no", "young_worker[1]/age_stated": 11,
                 "young_worker[1]/work/work_kind": ["performing_arts"]})
    assert form.state("young_worker[1]/work/performance_approved")["relevant"]


@pytest.mark.parametrize(("path", "answer"), [("findings/violations", ["none", "no_minor_register"]),
                                              ("findings/actions", ["none", "advice"])])
def test_none_is_exclusive(form, path, answer):
    assert violation(form.set(path, answer)) == "constraint"
    assert violation(form.set(path, ["none"])) is None


@pytest.mark.parametrize(("amount", "accepted"), [(0, False), (15_000_000, True), (1_000_000_001, False)])
def test_fine_amount_only_for_a_fine(form, amount, accepted):
    form.set("findings/actions", ["advice"])
    assert not form.state("findings/fine_amount")["relevant"]
    form.set("findings/actions", ["warning", "fine"])
    assert violation(form.set("findings/fine_amount", amount)) == (None if accepted else "constraint")


def test_complete_inspection_is_serialized_with_its_answers(form):
    start(form, n_young_workers=2)
    young_worker(form, 1, dob="2012-06-30")
    young_worker(form, 2, age=16)
    form.answer({"findings/violations": ["not_light_work", "no_written_contract", "no_minor_register"],
                 "findings/actions": ["fine"], "findings/fine_amount": 15_000_000})
    payload = form.submit()
    assert (payload["status"], payload["violations"]) == ("ready", [])
    root = payload["root"]
    assert root.get("id") == "workplace_inspection" and re.fullmatch(r"\d{10}", root.get("version"))
    assert root.findtext("meta/instanceName") == f"{MY_HOA_HUNG} {INSPECTION}"
    assert root.findtext("location/commune") == MY_HOA_HUNG
    assert root.findtext("establishment/craft_village_name") == "Làng nghề đan lát Phú Hòa"
    assert not root.findtext("establishment/enterprise_size")
    assert root.findtext("employer/informed_date") == "2026-05-01" and not root.findtext("employer/trained_date")
    workers = root.findall("young_worker")
    assert [w.findtext("age") for w in workers] == ["14", "16"]
    assert workers[0].findtext("contract_signed") == "no" and not workers[1].findtext("contract_signed")
    assert workers[0].findtext("work/work_kind") == "weaving_natural"
    assert workers[0].findtext("work/overtime") == "yes" and workers[0].findtext("work/hours_week") == "24.0"
    assert root.findtext("findings/violations") == "not_light_work no_written_contract no_minor_register"
    assert root.findtext("findings/fine_amount") == "15000000"
