"""Entity lists against the fake ODK Central: the list and its properties, bulk creation that a second run repeats
as nothing, the pipeline's properties kept current and the follow-up form's never overwritten (a collector's
change between read and write included), errors in plain words without secrets."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pytest
import requests
from urllib3 import encode_multipart_formdata

from connectors.errors import ACCESS, CONFLICT, NOT_FOUND, SourceError
from connectors.forms import FORMS_DIR
from connectors.odk_central import OdkCentralClient
from connectors.odk_central.entities import EntityService, publish_entities
from connectors.odk_central.publish import read_xlsform
from tests.connectors.conftest import make_client
from tests.connectors.fake_odk_central import DEFAULT_PASSWORD, FakeOdkCentral
from warehouse.cases.case_list import PIPELINE_OWNED
from warehouse.cases.case_list import PROPERTIES as CASE_PROPERTIES

FOLLOW_UP = FORMS_DIR / "case_followup.xlsx"
PROPERTIES = ("case_code", "commune", "age_band", "case_type", "status", "due_date", "last_visit", "first_support")
FORM_OWNED = {"case_type", "state", "status", "due_date", "last_visit", "first_support"}
OWNED = ("case_code", "commune", "age_band")  # the pipeline's: written on every run where they differ


@dataclass(frozen=True)
class Draft:
    uuid: str
    label: str
    data: dict[str, str] = field(default_factory=dict)


def drafts(count: int) -> list[Draft]:
    return [Draft(str(uuid.UUID(int=n + 1, version=4)), f"C-{n:05d} · Xã Mỹ Hòa Hưng · 13–14 tuổi",
                  {"case_code": f"C-{n:05d}", "commune": "30313", "age_band": "13-14", "case_type": "child_labourer",
                   "status": "open", "due_date": "2026-12-01"}) for n in range(count)]


@pytest.fixture
def central() -> FakeOdkCentral:
    with FakeOdkCentral(seed=None) as fake:
        fake.create_project("cases", project_id=7)
        yield fake


@pytest.fixture
def odk(central: FakeOdkCentral) -> OdkCentralClient:
    with make_client(central) as client:
        yield client


def writes(central: FakeOdkCentral) -> list[str]:
    return [f"{r.method} {r.target}" for r in central.requests if r.method != "GET" and "sessions" not in r.target]


def by_id(odk: OdkCentralClient, dataset: str = "cases") -> dict:
    return {e.uuid: e for e in EntityService(odk).entities(7, dataset)}


def post_openrosa(central: FakeOdkCentral, xml: str) -> int:
    """A submission as Collect sends it (multipart ``xml_submission_file``)."""
    login = {"email": "admin@example.com", "password": DEFAULT_PASSWORD}
    token = requests.post(f"{central.url}/v1/sessions", json=login, timeout=5).json()["token"]
    body, content_type = encode_multipart_formdata(
        [("xml_submission_file", ("submission.xml", xml.encode(), "text/xml"))])
    answer = requests.post(f"{central.url}/v1/projects/7/submission", data=body, timeout=5,
                           headers={"Content-Type": content_type, "Authorization": f"Bearer {token}",
                                    "X-OpenRosa-Version": "1.0"})
    return answer.status_code


def visit(entity_id: str, base_version: str, *, state: str, status: str, next_visit: str | None) -> str:
    """A follow-up visit to a case as the real form submits it (only the fields that matter here; ``status`` is
    what the form works out from the workflow ``state``)."""
    version = read_xlsform(FOLLOW_UP).version
    next_element = f"<next_visit>{next_visit}</next_visit>" if next_visit else "<next_visit/>"
    return (f'<?xml version="1.0"?><data id="case_followup" version="{version}"><case_id>{entity_id}</case_id>'
            f"<visit_date>2026-12-02</visit_date><case_type>at_risk</case_type>"
            f"<first_support>2026-12-02</first_support><case_state>{state}</case_state>"
            f"<case_status>{status}</case_status>{next_element}"
            f'<meta><entity dataset="cases" id="{entity_id}" update="1" baseVersion="{base_version}"'
            f' trunkVersion="" branchId=""/><instanceID>uuid:{uuid.uuid4()}</instanceID></meta></data>')


def test_creates_the_list_properties_and_entities_and_a_second_run_creates_nothing(central, odk) -> None:
    wanted = drafts(3)
    first = publish_entities(odk, 7, "cases", PROPERTIES, wanted, source="CLMS case register", owned=OWNED)
    assert (first.dataset_created, first.properties_added) == (True, PROPERTIES)
    assert first.created == tuple(d.uuid for d in wanted) and first.unchanged == ()
    assert writes(central) == ["POST /v1/projects/7/datasets"] + [
        "POST /v1/projects/7/datasets/cases/properties"] * 8 + ["POST /v1/projects/7/datasets/cases/entities"]
    server = by_id(odk)
    assert {k: (e.label, e.version) for k, e in server.items()} == {d.uuid: (d.label, 1) for d in wanted}
    assert server[wanted[0].uuid].data == {**wanted[0].data, "last_visit": None, "first_support": None}
    central.requests.clear()

    second = publish_entities(odk, 7, "cases", PROPERTIES, wanted, source="CLMS case register", owned=OWNED)
    assert (second.dataset_created, second.properties_added, second.created) == (False, (), ())
    assert second.unchanged == tuple(sorted(d.uuid for d in wanted))
    assert writes(central) == []


def test_bulk_requests_hold_a_batch_each_and_name_their_source(central, odk) -> None:
    service = EntityService(odk)
    service.ensure_dataset(7, "cases", PROPERTIES)
    service.create(7, "cases", drafts(5), source="CLMS case register", batch_size=2)
    assert writes(central)[-3:] == ["POST /v1/projects/7/datasets/cases/entities"] * 3
    assert len(by_id(odk)) == 5
    [listed] = odk.get("/projects/7/datasets", headers={"X-Extended-Metadata": "true"})
    assert (listed["name"], listed["entities"], listed["conflicts"]) == ("cases", 5, 0)


def test_an_existing_list_gets_only_the_properties_it_lacks(central, odk) -> None:
    service = EntityService(odk)
    service.create_dataset(7, "cases")
    service.add_property(7, "cases", "status")
    created, added = service.ensure_dataset(7, "cases", PROPERTIES)
    assert (created, added) == (False, tuple(p for p in PROPERTIES if p != "status"))
    assert [p["name"] for p in service.dataset(7, "cases")["properties"]] == ["status", *added]


def test_the_form_updates_its_properties_and_the_pipeline_never_overwrites_them(central, odk) -> None:
    central.publish_form(7, FOLLOW_UP.read_bytes())
    declared = EntityService(odk).dataset(7, "cases")
    assert {p["name"] for p in declared["properties"]} == FORM_OWNED  # the form's saveto made the list
    assert [f["xmlFormId"] for f in declared["linkedForms"]] == ["case_followup"]
    wanted = drafts(2)
    first = publish_entities(odk, 7, "cases", PROPERTIES, wanted, source="CLMS case register", owned=OWNED)
    assert (first.dataset_created, first.properties_added) == (False, ("case_code", "commune", "age_band"))

    supported = visit(wanted[0].uuid, "1", state="services", status="supported", next_visit="2026-12-16")
    assert post_openrosa(central, supported) == 201
    assert post_openrosa(central, visit(wanted[1].uuid, "1", state="closed", status="closed", next_visit=None)) == 201
    after_visits = by_id(odk)
    visited = after_visits[wanted[0].uuid]
    assert visited.version == 2
    assert {k: visited.data[k] for k in FORM_OWNED} == {
        "case_type": "at_risk", "state": "services", "status": "supported", "due_date": "2026-12-16",
        "last_visit": "2026-12-02", "first_support": "2026-12-02"}
    assert {k: visited.data[k] for k in ("case_code", "commune", "age_band")} == {
        k: wanted[0].data[k] for k in ("case_code", "commune", "age_band")}
    assert after_visits[wanted[1].uuid].data["due_date"] == ""  # closed: the blank next visit clears it
    central.requests.clear()

    again = publish_entities(odk, 7, "cases", PROPERTIES, wanted, source="CLMS case register", owned=OWNED)
    assert again.created == () and set(again.unchanged) == {d.uuid for d in wanted}
    assert writes(central) == []
    assert by_id(odk) == after_visits


def test_a_stale_base_version_is_applied_and_marked_as_a_conflict(central, odk) -> None:
    central.publish_form(7, FOLLOW_UP.read_bytes())
    [case] = drafts(1)
    publish_entities(odk, 7, "cases", PROPERTIES, [case], source="CLMS case register", owned=OWNED)
    post_openrosa(central, visit(case.uuid, "1", state="services", status="supported", next_visit="2026-12-16"))
    post_openrosa(central, visit(case.uuid, "1", state="follow_up", status="monitoring", next_visit="2026-12-30"))
    entity = odk.get(f"/projects/7/datasets/cases/entities/{case.uuid}")
    assert (entity["conflict"], entity["currentVersion"]["version"]) == ("soft", 3)
    assert entity["currentVersion"]["data"]["status"] == "monitoring"


def test_a_re_posted_submission_updates_the_entity_once(central, odk) -> None:
    central.publish_form(7, FOLLOW_UP.read_bytes())
    [case] = drafts(1)
    publish_entities(odk, 7, "cases", PROPERTIES, [case], source="CLMS case register", owned=OWNED)
    xml = visit(case.uuid, "1", state="services", status="supported", next_visit="2026-12-16")
    assert [post_openrosa(central, xml) for _ in range(2)] == [201, 201]
    entity = odk.get(f"/projects/7/datasets/cases/entities/{case.uuid}")
    assert (entity["currentVersion"]["version"], entity["conflict"]) == (2, None)


def later(draft: Draft, label: str | None = None, **data: str) -> Draft:
    """The same case as the register shows it on a later run."""
    return Draft(draft.uuid, label or draft.label, {**draft.data, **data})


def register_cases(count: int) -> list[Draft]:
    """Cases with every property of the real case list, none overdue yet."""
    return [later(d, state="screened", overdue="no") for d in drafts(count)]


def collector_changes(monkeypatch, odk: OdkCentralClient, times: int) -> list[int]:
    """Make a collector's change reach each entity between the pipeline's read and its write, ``times`` times in
    all: a new ``last_visit`` written (forced) just before each update is sent. Returns the versions it made."""
    original, made = EntityService.update, []

    def update(self, project_id, name, entity_id, base_version, **changes):
        if len(made) < times:
            answer = odk.request("PATCH", odk.api_url(f"/projects/{project_id}/datasets/{name}/entities/{entity_id}"
                                                      "?force=true"),
                                 json_body={"data": {"last_visit": f"2026-12-{len(made) + 10}"}})
            made.append(answer["currentVersion"]["version"])
        return original(self, project_id, name, entity_id, base_version, **changes)

    monkeypatch.setattr(EntityService, "update", update)
    return made


def publish(odk: OdkCentralClient, wanted, current=()):
    return publish_entities(odk, 7, "cases", CASE_PROPERTIES, wanted, source="CLMS case register",
                            owned=PIPELINE_OWNED, current=current)


def test_the_pipelines_properties_are_kept_current_and_the_forms_left_as_collected(central, odk) -> None:
    central.publish_form(7, FOLLOW_UP.read_bytes())
    due, visited, closed = register_cases(3)
    closed = later(closed, overdue="yes")
    publish(odk, [due, visited, closed])
    assert post_openrosa(central, visit(visited.uuid, "1", state="services", status="supported",
                                        next_visit="2026-12-16")) == 201
    assert post_openrosa(central, visit(closed.uuid, "1", state="closed", status="closed", next_visit=None)) == 201
    central.requests.clear()

    # Time passed: `due` is overdue, and its commune was renamed; the register has not seen the visit to `visited`
    # yet (its due date and step are the old ones, overdue by now); `closed` was closed by its visit.
    renamed = "C-00000 · Phường Mỹ Hòa Hưng · 13–14 tuổi"
    result = publish(odk, [later(due, renamed, overdue="yes"), later(visited, overdue="yes", due_date="2026-12-01")],
                     current=[later(closed, status="closed", state="closed", due_date="", overdue="no")])
    assert (result.created, result.updated, result.unchanged, result.not_updated) == (
        (), tuple(sorted(d.uuid for d in (due, visited, closed))), (), ())
    path = "/v1/projects/7/datasets/cases/entities"
    assert sorted(writes(central)) == sorted([f"PATCH {path}/{due.uuid}?baseVersion=1",
                                              f"PATCH {path}/{visited.uuid}?baseVersion=2",
                                              f"PATCH {path}/{closed.uuid}?baseVersion=2"])
    server = by_id(odk)
    assert (server[due.uuid].label, server[due.uuid].data["overdue"], server[due.uuid].data["due_date"]) == (
        renamed, "yes", "2026-12-01")
    assert {k: server[visited.uuid].data[k] for k in ("overdue", "due_date", "state", "status", "last_visit")} == {
        "overdue": "yes", "due_date": "2026-12-16", "state": "services", "status": "supported",
        "last_visit": "2026-12-02"}  # the form's, as the visit left them
    assert {k: server[closed.uuid].data[k] for k in ("overdue", "due_date", "state", "status")} == {
        "overdue": "no", "due_date": "", "state": "closed", "status": "closed"}
    central.requests.clear()

    again = publish(odk, [later(due, renamed, overdue="yes"), later(visited, overdue="yes")],
                    current=[later(closed, status="closed", overdue="no")])
    assert (again.updated, len(again.unchanged), writes(central)) == ((), 3, [])


def test_a_collectors_change_between_read_and_write_is_kept_and_the_update_tried_again(central, odk,
                                                                                         monkeypatch) -> None:
    [case] = register_cases(1)
    publish(odk, [case])
    made = collector_changes(monkeypatch, odk, times=1)
    result = publish(odk, [later(case, overdue="yes")])
    assert (result.updated, result.not_updated, made) == ((case.uuid,), (), [2])
    entity = EntityService(odk).entity(7, "cases", case.uuid)
    assert (entity.version, entity.data["overdue"], entity.data["last_visit"]) == (3, "yes", "2026-12-10")


def test_an_entity_changed_again_meanwhile_waits_for_the_next_run(central, odk, monkeypatch) -> None:
    busy, calm = register_cases(2)
    publish(odk, [busy, calm])
    made = collector_changes(monkeypatch, odk, times=2)
    first, second = sorted([busy, calm], key=lambda d: d.uuid)
    result = publish(odk, [later(busy, overdue="yes"), later(calm, overdue="yes")])
    assert (result.updated, result.not_updated, made) == ((second.uuid,), (first.uuid,), [2, 3])
    kept = EntityService(odk).entity(7, "cases", first.uuid)
    assert (kept.version, kept.data["overdue"], kept.data["last_visit"]) == (3, "no", "2026-12-11")
    monkeypatch.undo()
    assert publish(odk, [later(busy, overdue="yes"), later(calm, overdue="yes")]).updated == (first.uuid,)


def test_an_entity_deleted_between_read_and_write_is_not_updated(central, odk, monkeypatch) -> None:
    [case] = register_cases(1)
    publish(odk, [case])
    original = EntityService.update

    def deleted_first(self, project_id, name, entity_id, base_version, **changes):
        odk.request("DELETE", odk.api_url(f"/projects/{project_id}/datasets/{name}/entities/{entity_id}"))
        return original(self, project_id, name, entity_id, base_version, **changes)

    monkeypatch.setattr(EntityService, "update", deleted_first)
    result = publish(odk, [later(case, overdue="yes")])
    assert (result.updated, result.not_updated) == ((), (case.uuid,))


def test_a_project_viewer_cannot_update_and_is_told_so(central, odk) -> None:
    [case] = register_cases(1)
    publish(odk, [case])
    password = "viewer-Pa55word-not-to-leak"
    central.add_user("viewer@example.com", password, project_roles={7: "viewer"})
    with make_client(central, email="viewer@example.com", password=password) as viewer:
        assert publish_entities(viewer, 7, "cases", CASE_PROPERTIES, [case], source="test",
                                owned=PIPELINE_OWNED).unchanged == (case.uuid,)
        with pytest.raises(SourceError) as error:
            publish_entities(viewer, 7, "cases", CASE_PROPERTIES, [later(case, overdue="yes")], source="test",
                             owned=PIPELINE_OWNED)
    assert error.value.kind == ACCESS
    assert str(error.value).startswith(f"ODK Central at {central.url}: no permission to update entities in the"
                                       " entity list `cases` in project 7 (the account needs the Project Manager"
                                       " role) (HTTP 403, code 403.1: ")


def test_patch_needs_the_current_version_or_force(central, odk) -> None:
    [case] = drafts(1)
    publish_entities(odk, 7, "cases", PROPERTIES, [case], source="CLMS case register", owned=OWNED)
    url = odk.api_url(f"/projects/7/datasets/cases/entities/{case.uuid}")
    with pytest.raises(SourceError) as missing:
        odk.request("PATCH", url, json_body={"data": {"status": "supported"}})
    assert (missing.value.kind, missing.value.response.code) == (CONFLICT, "409.15")
    assert missing.value.response.details == {"current": "1"}  # Central compares with what it got: nothing
    with pytest.raises(SourceError) as stale:
        odk.request("PATCH", f"{url}?baseVersion=2", json_body={"data": {"status": "supported"}})
    assert (stale.value.kind, stale.value.response.code) == (CONFLICT, "409.15")
    patched = odk.request("PATCH", f"{url}?baseVersion=1", json_body={"data": {"status": "supported"}})
    assert (patched["currentVersion"]["version"], patched["currentVersion"]["data"]["status"]) == (2, "supported")
    forced = odk.request("PATCH", f"{url}?force=true", json_body={"data": {"due_date": ""}})
    assert (forced["currentVersion"]["version"], forced["currentVersion"]["data"]["due_date"]) == (3, "")


def test_a_deleted_entity_is_not_created_again_and_unknown_ones_are_left_alone(central, odk) -> None:
    gone, kept, stray = drafts(3)
    publish_entities(odk, 7, "cases", PROPERTIES, [gone, kept, stray], source="CLMS case register", owned=OWNED)
    odk.request("DELETE", odk.api_url(f"/projects/7/datasets/cases/entities/{gone.uuid}"))
    assert EntityService(odk).deleted_ids(7, "cases") == {gone.uuid}
    central.requests.clear()

    result = publish_entities(odk, 7, "cases", PROPERTIES, [gone, kept], source="CLMS case register", owned=OWNED)
    assert (result.created, result.unchanged, result.deleted, result.unknown) == ((), (kept.uuid,), (gone.uuid,),
                                                                                 (stray.uuid,))
    assert writes(central) == []
    assert set(by_id(odk)) == {kept.uuid, stray.uuid}
    known = publish_entities(odk, 7, "cases", PROPERTIES, [kept], source="CLMS case register", owned=OWNED,
                             current=[stray])
    assert known.unknown == ()


def test_the_feed_is_read_page_by_page(central, odk) -> None:
    publish_entities(odk, 7, "cases", PROPERTIES, drafts(5), source="CLMS case register", owned=OWNED)
    central.requests.clear()
    assert len(list(EntityService(odk).entities(7, "cases", page_size=2))) == 5
    pages = [r.target for r in central.requests if ".svc/Entities" in r.target]
    assert len(pages) == 3 and all("%24skiptoken=" in p for p in pages[1:])


def test_a_bulk_request_is_all_or_nothing(central, odk) -> None:
    service = EntityService(odk)
    service.ensure_dataset(7, "cases", PROPERTIES)
    good, bad = drafts(2)
    with pytest.raises(SourceError) as unknown_property:
        service.create(7, "cases", [good, Draft(bad.uuid, bad.label, {"child_name": "x"})], source="test")
    assert unknown_property.value.response.code == "400.28"
    with pytest.raises(SourceError) as not_text:
        service.create(7, "cases", [good, Draft(bad.uuid, bad.label, {"status": 1})], source="test")
    assert not_text.value.response.code == "400.11"
    assert by_id(odk) == {}


@pytest.mark.parametrize("entity_id", [str(uuid.uuid5(uuid.NAMESPACE_URL, "case/C-00001")), str(uuid.NAMESPACE_DNS),  # a version 1 UUID
                                       "C-00001", str(uuid.UUID(int=1, version=4)).replace("-8", "-c", 1)])
def test_an_entity_id_that_is_not_a_version_4_uuid_is_refused_as_central_does(central, odk, entity_id) -> None:
    service = EntityService(odk)
    service.ensure_dataset(7, "cases", PROPERTIES)
    with pytest.raises(SourceError) as refused:
        service.create(7, "cases", [Draft(entity_id, "C-00001")], source="test")
    answer = refused.value.response
    assert (answer.status, answer.code) == (400, "400.11")
    assert answer.server_message == "Invalid input data type: expected (uuid) to be (valid version 4 UUID)"
    assert answer.details == {"field": "uuid", "expected": "valid version 4 UUID"}
    assert by_id(odk) == {}


def test_a_version_4_entity_id_is_kept_lowercase_without_its_prefix(central, odk) -> None:
    service = EntityService(odk)
    service.ensure_dataset(7, "cases", PROPERTIES)
    entity_id = str(uuid.uuid4())
    service.create(7, "cases", [Draft(f"uuid:{entity_id.upper()}", "C-00001")], source="test")
    assert set(by_id(odk)) == {entity_id}


def test_an_entity_created_twice_is_a_conflict_that_says_to_run_again(central, odk) -> None:
    service = EntityService(odk)
    service.ensure_dataset(7, "cases", PROPERTIES)
    [case] = drafts(1)
    service.create(7, "cases", [case], source="test")
    with pytest.raises(SourceError) as error:
        service.create(7, "cases", [case], source="test")
    assert error.value.kind == CONFLICT and error.value.response.code == "409.3"
    assert f"entity {case.uuid} already exists in the entity list `cases`" in str(error.value)
    assert "(HTTP 409, code 409.3: A resource already exists with uuid value(s) of" in str(error.value)
    assert "run again" in str(error.value)


def test_a_project_viewer_is_told_that_a_project_manager_is_needed(central) -> None:
    password = "viewer-Pa55word-not-to-leak"
    central.add_user("viewer@example.com", password, project_roles={7: "viewer"})
    with make_client(central, email="viewer@example.com", password=password) as viewer:
        with pytest.raises(SourceError) as error:
            publish_entities(viewer, 7, "cases", PROPERTIES, drafts(1), source="test", owned=OWNED)
    assert error.value.kind == ACCESS
    assert str(error.value) == (f"ODK Central at {central.url}: no permission to create the entity list `cases` in"
                                " project 7 (the account needs the Project Manager role) (HTTP 403, code 403.1: The"
                                " authenticated actor does not have rights to perform that action.)")
    assert error.value.request.headers["Authorization"] == "[redacted]"
    everything = f"{error.value} {error.value!r} {error.value.request} {error.value.response}"
    assert password not in everything
    assert not any(token in everything for token in central.issued_tokens)


def test_missing_project_and_missing_list_are_named(central, odk) -> None:
    with pytest.raises(SourceError) as project:
        publish_entities(odk, 99, "cases", PROPERTIES, drafts(1), source="test", owned=OWNED)
    assert project.value.kind == NOT_FOUND and str(project.value).endswith("project 99 not found (HTTP 404, code 404.1: Could not find the resource you were looking for.)")
    with pytest.raises(SourceError) as dataset:
        EntityService(odk).dataset(7, "cases")
    assert str(dataset.value).endswith("entity list `cases` not found in project 7 (HTTP 404, code 404.1: Could not find the resource you were looking for.)")
    with pytest.raises(SourceError) as feed:
        list(EntityService(odk).entities(7, "cases"))
    assert str(feed.value).endswith("entity list `cases` not found in project 7 (HTTP 404, code 404.1: Could not find the resource you were looking for.)")
