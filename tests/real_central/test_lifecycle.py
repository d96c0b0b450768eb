"""The whole life of the data on a real ODK Central, from the phone's XML to the indicators.

A Project Manager publishes the five forms the project's way; a collector's phone posts households filled in ODK's
xforms-engine (some without consent, some with bad answers); the monitoring job syncs them and rebuilds everything;
the warehouse is checked against what was posted. Then edits, deletions, a restore, a purge and reviews on Central,
two more syncs (the last changes nothing); the cases become entities of `cases`, and a follow-up filled against a
case of the list Central serves reaches the visits and the register.
"""

from __future__ import annotations

import csv
import io
import time
from collections import Counter
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_PSEUDONYM_KEY
from tests.forms.test_engine_case_followup import visit
from tests.real_central.conftest import (
    another,
    edited,
    fill_household,
    instance_id,
    new_project,
    phone_engine,
    publish_forms,
    run_monitoring_job,
    with_bad_answer,
)
from warehouse.cases.case_register import entity_id
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.schema.db import make_engine
from warehouse.schema.models import Case, CaseVisit, Child, Household, IndicatorValue, Quarantine, RawSubmission

pytestmark = pytest.mark.central

HOUSEHOLD = "household_survey"


@dataclass(frozen=True)
class HouseholdPlan:
    """A household: ``children`` one letter each (W: a working 12-year-old, child labour; S: a 16-year-old at
    school), with or without consent, and a bad answer written over the engine's XML as a broken phone or a
    hand-made submission would send it (``bad``: what is replaced, by what)."""

    children: str = ""
    consent: bool = True
    bad: tuple[str, str] | None = None


PLANS = {
    "h01": HouseholdPlan("WS"), "h02": HouseholdPlan("S"), "h03": HouseholdPlan("SSW"), "h04": HouseholdPlan(""),
    "h05": HouseholdPlan("W"), "h06": HouseholdPlan("SS"), "h07": HouseholdPlan("WW"),
    "edited": HouseholdPlan("WS"), "deleted": HouseholdPlan("S"), "purged": HouseholdPlan("SW"),
    "rejected": HouseholdPlan("S"), "restored": HouseholdPlan("WS"),
    "no_consent_1": HouseholdPlan(consent=False), "no_consent_2": HouseholdPlan(consent=False),
    "no_consent_3": HouseholdPlan(consent=False),
    "bad_commune": HouseholdPlan("S", bad=("<commune>30313</commune>", "<commune>99999</commune>")),
    "bad_date": HouseholdPlan("W", bad=("<interview_date>2026-11-20</interview_date>",
                                        "<interview_date>2031-01-01</interview_date>")),
    "bad_size": HouseholdPlan("S", bad=("<hh_size>4</hh_size>", "<hh_size>nhiều</hh_size>")),
    "bad_phone": HouseholdPlan("", bad=("<respondent_phone>0912345678</respondent_phone>",
                                        "<respondent_phone>12345</respondent_phone>")),
    "bad_age": HouseholdPlan("SS", bad=("<age_stated>16</age_stated>", "<age_stated>19</age_stated>")),
}
QUARANTINED = {  # household: (entity, repeat index, field, reason) of the answer that keeps it (or a child) out
    "bad_commune": ("household", None, "location/commune", "UNKNOWN_COMMUNE"),
    "bad_date": ("household", None, "interview_date", "DATE_IN_FUTURE"),
    "bad_size": ("household", None, "household/hh_size", "MISSING_OR_UNREADABLE"),  # Central serves it as null
    "bad_phone": ("household", None, "household/respondent_phone", "INVALID_PHONE"),
    "bad_age": ("child", 1, "child/age", "AGE_OUT_OF_RANGE"),
}


class Story:
    """What was posted to Central and what happened to it since: the truth the warehouse is checked against."""

    def __init__(self, xml: dict[str, str]):
        self.xml = xml
        self.ids = {name: instance_id(text) for name, text in xml.items()}
        self.gone: set[str] = set()  # deleted or purged on Central
        self.quarantined = dict(QUARANTINED)
        self.hh_size = {name: 4 for name, plan in PLANS.items() if plan.consent}
        self.reviews: dict[str, str] = {}

    def household_id(self, name: str) -> str:
        return Pseudonymizer(TEST_PSEUDONYM_KEY).id("household", HOUSEHOLD, self.ids[name])

    def live(self) -> list[str]:
        return [name for name in PLANS if name not in self.gone]

    def households(self) -> set[str]:
        """Households in `household`: every live one, with or without consent, but those quarantined whole."""
        return {n for n in self.live() if self.quarantined.get(n, ("child",))[0] != "household"}

    def children(self) -> Counter:
        """How many children are loaded, how many of them work (child labour), how many are cases."""
        counts = Counter()
        for name in self.households():
            kinds = list(PLANS[name].children)
            if self.quarantined.get(name, ("",))[0] == "child":
                del kinds[self.quarantined[name][1] - 1]
            counts["children"] += len(kinds)
            counts["working"] += kinds.count("W")
            counts["cases"] += cases_in(kinds)
        return counts


def cases_in(children: str | list[str]) -> int:
    """The cases of a household's children: a near-poor household with a working child (child labour) has its
    other children at risk."""
    return len(children) if "W" in children else 0


@pytest.fixture(scope="module")
def project(odk_central):
    return new_project(odk_central, "Giám sát lao động trẻ em")


@pytest.fixture(scope="module")
def published(project):
    result = publish_forms(project.source(project.manager))
    project.collector = project.server.app_user_token(project.id, "Điện thoại 1")
    return result


def sync(project, warehouse, **settings):
    return run_monitoring_job(project.source(project.manager, **settings), *warehouse)


@pytest.fixture(scope="module")
def first(project, published, warehouse, tmp_path_factory):
    """Every household posted; the one to be restored deleted; then the first run of the job."""
    shapes = {(plan.children, plan.consent) for plan in PLANS.values()}
    with phone_engine(project, HOUSEHOLD, tmp_path_factory.mktemp("engine")) as engine:
        filled = {shape: fill_household(engine, *shape) for shape in shapes}
    story = Story({name: with_bad_answer(another(filled[plan.children, plan.consent]), plan.bad)
                   for name, plan in PLANS.items()})
    project.submit_all([xml.encode() for xml in story.xml.values()])
    delete(project, story, "restored")
    return story, sync(project, warehouse)


def delete(project, story: Story, name: str) -> None:
    answer = project.server.api("DELETE", f"{project.form_path(HOUSEHOLD)}/submissions/{story.ids[name]}")
    assert answer.status_code == 200, answer.text
    story.gone.add(name)


@pytest.fixture(scope="module")
def second(project, first, warehouse):
    """Edits (one fixes a bad commune), a deletion, a restore, a purge and reviews on Central; the second run."""
    story, _ = first
    server, form = project.server, project.form_path(HOUSEHOLD)
    project.submit_all([edited(story.xml["edited"], "<hh_size>4</hh_size>", "<hh_size>5</hh_size>").encode(),
                        edited(story.xml["bad_commune"], "<commune>99999</commune>", "<commune>30313</commune>")
                        .encode()])
    story.hh_size["edited"] = 5
    del story.quarantined["bad_commune"]
    story.reviews.update(edited="edited", bad_commune="edited")  # Central's review state of an edit
    delete(project, story, "deleted")
    delete(project, story, "purged")
    server.purge_submission(project.id, HOUSEHOLD, story.ids["purged"])
    answer = server.api("POST", f"{form}/submissions/{story.ids['restored']}/restore")
    assert answer.status_code == 200, answer.text
    story.gone.discard("restored")
    for name, state in (("rejected", "rejected"), ("h01", "approved"), ("h02", "hasIssues")):
        answer = server.api("PATCH", f"{form}/submissions/{story.ids[name]}", json={"reviewState": state})
        assert answer.status_code == 200, answer.text
        story.reviews[name] = state
    story.quarantined["rejected"] = ("household", None, "review_state", "REVIEW_EXCLUDED")  # review_states.toml
    return story, sync(project, warehouse, force_reconcile=True)  # purges are found by comparing the ids


@pytest.fixture(scope="module")
def third(second, project, warehouse):
    return sync(project, warehouse)


def succeeded(run) -> None:
    assert (run.failed_steps(), run.failed_checks()) == ([], []), run.failures()
    assert run.result.success


def check_warehouse(url: str, story: Story) -> None:
    engine = make_engine(url)
    with engine.connect() as conn:
        households = dict(conn.execute(select(Household.household_id, Household.hh_size)).all())
        consent = dict(conn.execute(select(Household.household_id, Household.consent)).all())
        children = conn.execute(select(func.count()).select_from(Child)).scalar_one()
        working = conn.execute(select(func.count()).select_from(Child).where(Child.working)).scalar_one()
        quarantine = conn.execute(select(Quarantine.instance_id, Quarantine.entity, Quarantine.repeat_index,
                                         Quarantine.field, Quarantine.reason_code)
                                  .where(Quarantine.form_id == HOUSEHOLD)).all()
        reviews = dict(conn.execute(select(Household.household_id, Household.review_state)
                                    .where(Household.review_state.is_not(None))).all())
        raw_live = conn.execute(select(RawSubmission.instance_id).where(RawSubmission.form_id == HOUSEHOLD,
                                                                        RawSubmission.deleted_at.is_(None))).scalars()
        raw_live = set(raw_live)
        cases = conn.execute(select(func.count()).select_from(Case)).scalar_one()
        labour = conn.execute(select(IndicatorValue.numerator, IndicatorValue.denominator).where(
            IndicatorValue.indicator_id == "1.1", IndicatorValue.rule_set == "vn_law",
            IndicatorValue.area_level == "national", IndicatorValue.dimension == "total",
            IndicatorValue.period == "2026")).all()
    engine.dispose()
    names = {story.household_id(name): name for name in PLANS}
    assert {story.ids[n] for n in story.live()} == raw_live
    assert sorted(names[h] for h in households) == sorted(story.households())
    assert {names[h]: size for h, size in households.items()} == {
        n: (story.hh_size.get(n) if PLANS[n].consent else None) for n in story.households()}
    assert sorted(names[h] for h, agreed in consent.items() if not agreed) == [
        n for n in sorted(story.households()) if not PLANS[n].consent]
    expected = story.children()
    assert (children, working) == (expected["children"], expected["working"])
    assert sorted((row[0], *row[1:]) for row in quarantine) == sorted(
        (story.ids[name], *entry) for name, entry in story.quarantined.items() if name not in story.gone)
    assert {names[h]: state for h, state in reviews.items()} == {
        name: state for name, state in story.reviews.items() if name in story.households()}
    assert cases == expected["cases"]
    assert labour == [(expected["working"], expected["children"])]


def test_the_manager_publishes_every_form_with_its_media_and_the_cases_list(project, published):
    assert published.success, [str(e.event_specific_data.error) for e in published.all_events if e.is_step_failure]
    forms = {f["xmlFormId"]: f for f in project.server.api("GET", f"/v1/projects/{project.id}/forms").json()}
    assert sorted(forms) == ["activity_report", "case_followup", "case_report", "household_back_check", HOUSEHOLD,
                             "workplace_inspection"]
    assert all(f["state"] == "open" and f["publishedAt"] for f in forms.values())
    for form_id in forms:
        attachments = project.server.api("GET", f"{project.form_path(form_id)}/attachments").json()
        assert all(a["exists"] for a in attachments), (form_id, attachments)
        assert bool(attachments) == (form_id != "household_back_check"), form_id  # the back-check has no media
    datasets = project.server.api("GET", f"/v1/projects/{project.id}/datasets").json()
    assert [d["name"] for d in datasets] == ["cases"]
    again = [e.event_specific_data.materialization for e in publish_forms(
        project.source(project.manager)).get_asset_materialization_events()]
    assert {m.asset_key.to_user_string(): m.metadata["action"].value for m in again} == {
        f"{form_id}_form": "unchanged" for form_id in forms}


def test_the_first_sync_gives_the_truth_of_what_was_posted(first, warehouse):
    story, run = first
    succeeded(run)
    check_warehouse(warehouse[0], story)


def test_edits_deletions_a_restore_a_purge_and_reviews_reach_the_warehouse(second, warehouse):
    story, run = second
    check_warehouse(warehouse[0], story)
    succeeded(run)


def test_a_third_sync_changes_nothing(second, third, warehouse):
    story, _ = second
    succeeded(third)
    for form_id in ("household_survey", "workplace_inspection", "case_followup", "activity_report",
                    "household_back_check", "case_report"):
        stats = third.metadata(f"raw_{form_id}")
        assert (stats["sync/inserted"], stats["sync/updated"], stats["sync/deleted"]) == (0, 0, 0), form_id
    assert third.metadata("households")["step/processed"] == 0
    check_warehouse(warehouse[0], story)


def test_cases_become_entities_and_a_follow_up_reaches_the_register(project, third, warehouse, tmp_path_factory):
    engine = make_engine(warehouse[0])
    with engine.connect() as conn:
        register = {entity_id(row.case_id): row for row in conn.execute(select(Case))}
    engine.dispose()
    entities = {e["uuid"] for e in project.server.api("GET", f"/v1/projects/{project.id}/datasets/cases/entities")
                .json()}
    left = entities - set(register)  # the cases of the purged household: left on Central, as collectors left them
    assert set(register) <= entities and len(left) == cases_in(PLANS["purged"].children)
    assert (third.metadata("case_list")["created"], third.metadata("case_list")["not_in_register"]) == (0, len(left))

    served = project.server.http.get(f"{project.server.url}/v1/key/{project.collector}/projects/{project.id}"
                                     "/forms/case_followup/attachments/cases.csv")
    assert served.status_code == 200, served.text
    listed = list(csv.DictReader(io.StringIO(served.text)))
    assert {row["name"] for row in listed} == entities
    chosen = next(row for row in listed if row["name"] in register and register[row["name"]].case_type == "child_labourer")
    with phone_engine(project, "case_followup", tmp_path_factory.mktemp("followup")) as followup:
        form = followup.open()
        visit(form, chosen, visit_date="2026-12-01", support=["education"], first_support_date="2026-12-01",
              case_state="services", next_visit="2026-12-20")
        payload = form.submit()
    assert (payload["status"], payload["violations"]) == ("ready", []), payload["violations"]
    project.submit_all([payload["xml"].encode()])

    run = sync(project, warehouse)
    case_id = register[chosen["name"]].case_id
    engine = make_engine(warehouse[0])
    with engine.connect() as conn:
        visits = conn.execute(select(CaseVisit.case_id, CaseVisit.visit_date, CaseVisit.case_status)).all()
        case = conn.execute(select(Case).where(Case.case_id == case_id)).one()
    engine.dispose()
    assert [(v.case_id, v.visit_date.isoformat(), v.case_status) for v in visits] == [
        (case_id, "2026-12-01", "supported")]
    assert (case.visits, case.status, case.first_support_on.isoformat()) == (1, "supported", "2026-12-01")
    succeeded(run)

    deadline = time.monotonic() + 30  # Central's worker applies the visit to the entity shortly after
    path = f"/v1/projects/{project.id}/datasets/cases/entities/{chosen['name']}"
    while (status := project.server.api("GET", path).json()["currentVersion"]["data"].get("status")) != "supported":
        assert time.monotonic() < deadline, status
        time.sleep(0.5)
