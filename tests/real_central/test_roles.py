"""What each role can do on a real ODK Central, and what the data manager is told when a role falls short.

A Project Manager publishes and syncs (here, and the whole life of the data in ``test_lifecycle``); a Project
Viewer, the role the README says is enough to pull submissions, syncs every day without failing, but can neither
publish a form nor create the `cases` entities, and is told which role that needs.
"""

from __future__ import annotations

from types import SimpleNamespace
from uuid import uuid4

import pytest
from sqlalchemy import func, select

from connectors.errors import SourceError
from connectors.odk_central.entities import EntityService
from dagster_project.definitions import FORMS
from tests.forms.engine_session import published_form
from tests.forms.xlsform_tools import FORMS_DIR
from tests.real_central.conftest import (
    fill_household,
    new_project,
    publish_forms,
    run_monitoring_job,
    step_errors,
)
from warehouse.schema.db import make_engine
from warehouse.schema.models import Case, Child, Household

pytestmark = pytest.mark.central

NEEDS_MANAGER = "(the account needs the Project Manager role)"


@pytest.fixture(scope="module")
def project(odk_central, tmp_path_factory):
    """The five forms published by the manager, two households (one with a working child) posted."""
    project = new_project(odk_central, "Vai trò")
    published = publish_forms(project.source(project.manager))
    assert published.success
    project.collector = odk_central.app_user_token(project.id, "Điện thoại 2")
    with published_form(FORMS_DIR / "household_survey.xlsx", tmp_path_factory.mktemp("engine")) as engine:
        project.submit_all([fill_household(engine, "WS").encode(), fill_household(engine, "S").encode()])
    return project


def test_a_viewer_cannot_publish_and_is_told_which_role_it_needs(odk_central):
    fresh = new_project(odk_central, "Chưa có biểu mẫu")
    result = publish_forms(fresh.source(fresh.viewer))
    errors = step_errors(result)
    assert len(errors) == len(FORMS)
    assert all(f"no permission to change forms in project {fresh.id} {NEEDS_MANAGER}" in e for e in errors), errors
    assert odk_central.api("GET", f"/v1/projects/{fresh.id}/forms").json() == []


def test_a_viewer_syncs_every_day_and_the_case_list_waits_for_a_manager(project, tmp_path):
    (tmp_path / "uploads").mkdir()
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    run = run_monitoring_job(project.source(project.viewer), url, tmp_path / "uploads")

    assert run.metadata("raw_household_survey")["sync/inserted"] == 2
    engine = make_engine(url)
    with engine.connect() as conn:
        counts = [conn.execute(select(func.count()).select_from(t)).scalar_one() for t in (Household, Child, Case)]
    engine.dispose()
    assert counts == [2, 3, 2]  # the working child and its sibling at risk are cases
    assert odk_central_entities(project) == []
    case_list = run.metadata("case_list")
    assert (case_list["published"], case_list["open_cases"]) == (False, 2)
    told = case_list["not_published_because"]  # the first change it was refused: a property, then the entities
    assert "the entity list `cases`" in told and f"in project {project.id} {NEEDS_MANAGER}" in told, told
    assert any(told in message for message in run.messages if "not published" in message)
    assert (run.failed_steps(), run.failed_checks()) == ([], ["case_list_published"]), run.failures()
    assert run.result.success


def odk_central_entities(project) -> list:
    answer = project.server.api("GET", f"/v1/projects/{project.id}/datasets/cases/entities")
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_viewer_cannot_create_entities_and_is_told_which_role_it_needs(project):
    draft = SimpleNamespace(uuid=str(uuid4()), label="C-00000", data={"status": "open"})
    with project.client(project.viewer) as client, pytest.raises(SourceError) as refused:
        EntityService(client).create(project.id, "cases", [draft], source="test")
    assert (f"no permission to create entities in the entity list `cases` in project {project.id} {NEEDS_MANAGER}"
            in str(refused.value))
    assert odk_central_entities(project) == []
