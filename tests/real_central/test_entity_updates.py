"""The `cases` entities kept current on a real ODK Central: a visit, the passing days and a closure reach the
pipeline's properties, a collector's change is never overwritten (nor lost when it lands between the pipeline's
read and its write), a Project Viewer is told what it lacks, and the fake Central answers PATCH as this one does."""

from __future__ import annotations

import time
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import insert, update

from connectors.errors import ACCESS, SourceError
from connectors.odk_central import OdkCentralClient
from connectors.odk_central.entities import EntityService, publish_entities
from connectors.odk_central.publish import publish_xlsform
from tests.central_server import CentralServer
from tests.connectors.conftest import make_client
from tests.connectors.fake_odk_central import FakeOdkCentral
from tests.connectors.test_entities import FOLLOW_UP, Draft, collector_changes, visit
from tests.pipeline.test_case_list import case
from tests.real_central.conftest import Project, new_project
from warehouse.cases.case_list import PIPELINE_OWNED, PROPERTIES, RegisterCaseList, case_list_rows
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import Case

pytestmark = pytest.mark.central

MEDIA = FOLLOW_UP.parent / "media"
PROPERTY_DATA = ("overdue", "due_date", "state", "status", "last_visit")


@pytest.fixture
def project(odk_central: CentralServer, request: pytest.FixtureRequest) -> Project:
    """A project with the follow-up form published (it updates the `cases` entities) and a collector's phone."""
    project = new_project(odk_central, request.node.name[:60])
    with project.client(project.manager) as client:
        publish_xlsform(client, project.id, FOLLOW_UP, MEDIA)
    project.collector = odk_central.app_user_token(project.id, "Điện thoại 1")
    return project


@pytest.fixture
def register(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def entities(project: Project) -> dict[str, dict]:
    """Every entity of `cases`: its label, version and properties, as Central serves them."""
    with project.client(project.manager) as client:
        return {e.uuid: {"label": e.label, "version": e.version, **e.data}
                for e in EntityService(client).entities(project.id, "cases")}


def applied(project: Project, entity_id: str, version: int) -> None:
    """Wait for Central's worker to apply a submission to the entity (its version reaches ``version``)."""
    deadline = time.monotonic() + 60
    while entities(project)[entity_id]["version"] < version:
        assert time.monotonic() < deadline, f"the visit was not applied to {entity_id}"
        time.sleep(0.5)


def publish(project: Project, register, as_of: date) -> dict:
    return project.source(project.manager).source().publish_case_list(
        RegisterCaseList(case_list_rows(register, as_of=as_of)))


def test_a_visit_the_days_and_a_closure_reach_the_entities_and_the_forms_properties_stay(project, register) -> None:
    due, visited, closed = (str(uuid.uuid4()) for _ in range(3))  # entity ids are unique server-wide
    with register.begin() as conn:
        conn.execute(insert(Case), [
            case(due, "C-DUE01", due_on=date(2026, 12, 1)),
            case(visited, "C-VIS01", status="supported", visits=1, last_visit=date(2026, 11, 20),
                 first_support=date(2026, 11, 20), state="services", due_on=date(2026, 12, 5)),
            case(closed, "C-CLO01", due_on=date(2026, 11, 20)),
        ])
    first = publish(project, register, date(2026, 11, 25))
    assert (first["created"], first["updated"], first["unchanged"]) == (3, 0, 0)
    assert {k: v["overdue"] for k, v in entities(project).items()} == {due: "no", visited: "no", closed: "yes"}

    project.submit_all([visit(visited, "1", state="follow_up", status="monitoring", next_visit="2026-12-30").encode(),
                        visit(closed, "1", state="closed", status="closed", next_visit=None).encode()])
    applied(project, visited, 2)
    applied(project, closed, 2)

    # Days later, before the warehouse has the visits: `due` and `visited` are overdue by the register's dates.
    later = publish(project, register, date(2026, 12, 12))
    assert (later["updated"], later["unchanged"], later["not_updated"]) == (2, 1, 0)
    server = entities(project)
    assert {k: server[due][k] for k in ("version", "overdue", "due_date", "state")} == {
        "version": 2, "overdue": "yes", "due_date": "2026-12-01", "state": "screened"}
    assert {k: server[visited][k] for k in ("version", *PROPERTY_DATA)} == {
        "version": 3, "overdue": "yes", "due_date": "2026-12-30", "state": "follow_up", "status": "monitoring",
        "last_visit": "2026-12-02"}  # the visit's, not the register's older ones

    with register.begin() as conn:  # the warehouse has the visits: the next visit is due later; a case closed
        conn.execute(update(Case).where(Case.case_id == visited).values(
            status="monitoring", state="follow_up", visits=2, last_visit_on=date(2026, 12, 2),
            due_on=date(2026, 12, 30)))
        conn.execute(update(Case).where(Case.case_id == closed).values(
            status="closed", state="closed", visits=1, last_visit_on=date(2026, 12, 2), due_on=None))
    caught_up = publish(project, register, date(2026, 12, 12))
    assert (caught_up["created"], caught_up["updated"], caught_up["unchanged"]) == (0, 2, 1)
    server = entities(project)
    assert {k: server[visited][k] for k in PROPERTY_DATA} == {
        "overdue": "no", "due_date": "2026-12-30", "state": "follow_up", "status": "monitoring",
        "last_visit": "2026-12-02"}
    assert {k: server[closed][k] for k in PROPERTY_DATA} == {
        "overdue": "no", "due_date": "", "state": "closed", "status": "closed", "last_visit": "2026-12-02"}
    again = publish(project, register, date(2026, 12, 12))
    assert (again["updated"], again["unchanged"]) == (0, 3)
    assert entities(project) == server


def test_a_change_between_read_and_write_is_kept_and_tried_again_or_left_to_the_next_run(project, register,
                                                                                          monkeypatch) -> None:
    busy, calm = sorted(str(uuid.uuid4()) for _ in range(2))
    with register.begin() as conn:
        conn.execute(insert(Case), [case(busy, "C-BUSY1", due_on=date(2026, 12, 1)),
                                    case(calm, "C-CALM1", due_on=date(2026, 12, 1))])
    publish(project, register, date(2026, 11, 25))
    with project.client(project.manager) as client:
        made = collector_changes(monkeypatch, client, times=3)  # before both tries for `busy`, the first for `calm`
        result = publish_entities(client, project.id, "cases", PROPERTIES, case_list_rows(register,
                                  as_of=date(2026, 12, 12)), source="test", owned=PIPELINE_OWNED)
    assert (result.updated, result.not_updated, made) == ((calm,), (busy,), [2, 3, 2])
    server = entities(project)
    assert {k: server[busy][k] for k in ("version", "overdue", "last_visit")} == {
        "version": 3, "overdue": "no", "last_visit": "2026-12-11"}  # the collector's, the pipeline's not yet
    assert {k: server[calm][k] for k in ("version", "overdue", "last_visit")} == {
        "version": 3, "overdue": "yes", "last_visit": "2026-12-12"}  # both
    monkeypatch.undo()
    assert publish(project, register, date(2026, 12, 12))["updated"] == 1
    assert {k: entities(project)[busy][k] for k in ("overdue", "last_visit")} == {
        "overdue": "yes", "last_visit": "2026-12-11"}


def test_a_project_viewer_is_told_the_update_needs_a_manager(project, register) -> None:
    entity_id = str(uuid.uuid4())
    with register.begin() as conn:
        conn.execute(insert(Case), [case(entity_id, "C-VIEW1", due_on=date(2026, 12, 1))])
    publish(project, register, date(2026, 11, 25))
    with pytest.raises(SourceError) as error:
        project.source(project.viewer).source().publish_case_list(
            RegisterCaseList(case_list_rows(register, as_of=date(2026, 12, 12))))
    assert error.value.kind == ACCESS
    assert (f": no permission to update entities in the entity list `cases` in project {project.id} (the account"
            " needs the Project Manager role) (HTTP 403, code 403.1: ") in str(error.value)
    assert entities(project)[entity_id]["overdue"] == "no"


def patch_answers(client: OdkCentralClient, project_id: int) -> list:
    """What Central answers to PATCHes of an entity: stale, missing and right base versions, force, deleted."""
    service = EntityService(client)
    name = f"patch_{uuid.uuid4().hex[:8]}"
    service.ensure_dataset(project_id, name, ["status", "due_date"])
    entity_id = str(uuid.uuid4())
    service.create(project_id, name, [Draft(entity_id, "C-00001", {"status": "open", "due_date": "2026-12-01"})],
                   source="test")
    url = client.api_url(f"/projects/{project_id}/datasets/{name}/entities/{entity_id}")
    answers = []
    for query, body in (("?baseVersion=2", {"data": {"status": "supported"}}), ("", {"data": {"status": "x"}}),
                        ("?baseVersion=1", {"data": {"status": "supported"}, "label": "C-00002"}),
                        ("?force=true", {"data": {"due_date": ""}}), ("?baseVersion=3", {"data": {"nope": "x"}}),
                        ("?baseVersion=3", {"label": ""})):
        try:
            answer = client.request("PATCH", f"{url}{query}", json_body=body)
            current = answer["currentVersion"]
            answers.append((200, sorted(answer), sorted(current), current["version"], current["label"],
                            current["data"], current["baseVersion"], current.get("dataReceived"),
                            [current.get(k) for k in ("branchId", "trunkVersion", "branchBaseVersion")]))
        except SourceError as error:
            response = error.response
            answers.append((response.status, response.code, response.server_message, response.details))
    read = client.request("GET", url)
    answers.append((sorted(read), sorted(read["currentVersion"])))
    client.request("DELETE", url)
    try:
        client.request("PATCH", f"{url}?baseVersion=3", json_body={"data": {"status": "closed"}})
    except SourceError as error:
        answers.append((error.response.status, error.response.code))
    return answers


def test_the_fake_central_answers_patch_as_the_real_one(project) -> None:
    with project.client(project.manager) as client:
        real = patch_answers(client, project.id)
    with FakeOdkCentral(seed=None) as fake:
        fake.create_project("cases", project_id=7)
        with make_client(fake) as client:
            faked = patch_answers(client, 7)
    assert faked == real
