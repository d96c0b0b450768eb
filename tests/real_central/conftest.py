"""What the tests against a real ODK Central share: a project with its people, the forms published the project's
way, households filled in ODK's xforms-engine, and the monitoring job run as users run it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import pytest

from connectors.odk_central import OdkCentralClient
from dagster_project.definitions import FORMS, build_definitions
from dagster_project.defs.forms import assets as form_assets
from dagster_project.resources import WarehouseResource
from dagster_project.sources import OdkCentralSource
from tests.central_server import CentralServer
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.forms.engine_session import EngineSession, ensure_engine_installed
from tests.forms.test_engine_household_survey import child, start

PASSWORD = "Pipeline-Pass-2026!"
MANAGER, VIEWER = 5, 6  # Central's role ids
FORM_ASSETS = form_assets.published_forms


@dataclass
class Project:
    """A Central project with a Project Manager and a Project Viewer (web users) and a collector (app user)."""

    server: CentralServer
    id: int
    manager: str
    viewer: str
    collector: str = ""

    def source(self, email: str, **settings) -> OdkCentralSource:
        """The pipeline's source for every form, logged in as ``email``."""
        settings = {"session_dir": str(self.server.work / "sessions"), **settings}
        return OdkCentralSource(base_url=self.server.url, email=email, password=PASSWORD, project_id=self.id,
                                read_timeout=30, max_tries=2, backoff_factor=0.01, **settings)

    def client(self, email: str) -> OdkCentralClient:
        """A client of the server logged in as ``email``, as the pipeline's source makes it."""
        return self.source(email).source().client()

    def form_path(self, form_id: str) -> str:
        return f"/v1/projects/{self.id}/forms/{form_id}"

    def submit_all(self, xmls: Sequence[bytes]) -> None:
        """Post submissions as the collector's phone would, several at once."""
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda xml: self.server.submit(self.id, xml, token=self.collector), xmls))
        assert [a.status_code for a in answers] == [201] * len(xmls), [a.text for a in answers if a.status_code != 201]


def phone_engine(project: Project, form_id: str, work: Path) -> EngineSession:
    """ODK's engine on the form as a phone gets it from Central: its XForm and every attachment Central serves
    (an entity list as Central makes it), downloaded with the collector's token into ``work``."""
    base = f"{project.server.url}/v1/key/{project.collector}/projects/{project.id}/forms/{form_id}"
    for name in [f"{form_id}.xml", *(a["name"] for a in project.server.api(
            "GET", f"{project.form_path(form_id)}/attachments").json())]:
        answer = project.server.http.get(f"{base}.xml" if name == f"{form_id}.xml" else f"{base}/attachments/{name}")
        assert answer.status_code == 200, (name, answer.text)
        (work / name).write_bytes(answer.content)
    return EngineSession(ensure_engine_installed(), work / f"{form_id}.xml", work)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> tuple[str, Path]:
    """A fresh SQLite warehouse for a module's story, and its reference uploads folder."""
    folder = tmp_path_factory.mktemp("warehouse")
    (folder / "uploads").mkdir()
    return f"sqlite:///{folder / 'warehouse.sqlite'}", folder / "uploads"


def new_project(server: CentralServer, name: str) -> Project:
    project = server.create_project(name)
    people = {}
    for role, who in ((MANAGER, "manager"), (VIEWER, "viewer")):
        people[who] = f"{who}-{project}@example.org"
        server.assign(project, role, server.create_user(people[who], PASSWORD))
    return Project(server, project, **people)


def publish_forms(source: OdkCentralSource) -> dg.ExecuteInProcessResult:
    """Materialize the five ``<form_id>_form`` assets: the project's own way of publishing."""
    return dg.materialize(FORM_ASSETS, resources={f"{form}_source": source for form in FORMS}, raise_on_error=False)


def step_errors(result: dg.ExecuteInProcessResult) -> list[str]:
    """What each failed step raised, in its own words (not Dagster's wrapping)."""
    errors = []
    for event in result.all_events:
        if event.is_step_failure:
            error = event.event_specific_data.error
            while error.cause is not None:
                error = error.cause
            errors.append(error.message.strip())
    return errors


@dataclass
class JobRun:
    result: dg.ExecuteInProcessResult
    messages: list[str] = field(default_factory=list)  # every log message of the run

    def metadata(self, asset: str) -> dict:
        """The metadata of the asset's materialization in this run."""
        [materialization] = [e.event_specific_data.materialization for e in self.result.get_asset_materialization_events()
                             if e.asset_key.to_user_string() == asset]
        return {k: v.value for k, v in materialization.metadata.items()}

    def failed_steps(self) -> list[str]:
        return sorted(e.step_key for e in self.result.all_events if e.is_step_failure)

    def failures(self) -> list[str]:
        """What each failed step said."""
        return [f"{e.step_key}: {e.event_specific_data.error.to_string()}" for e in self.result.all_events
                if e.is_step_failure]

    def failed_checks(self) -> list[str]:
        return sorted(e.check_name for e in self.result.get_asset_check_evaluations() if not e.passed)


def run_monitoring_job(source: OdkCentralSource, warehouse_url: str, uploads: Path) -> JobRun:
    """``monitoring_job`` of the code location, every form from ``source``, as the schedule runs it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLMS_REFERENCE_DIR", str(uploads))
        defs = build_definitions(WarehouseResource(url=warehouse_url, pseudonym_key=TEST_PSEUDONYM_KEY),
                                 {form: source for form in FORMS})
    instance = dg.DagsterInstance.ephemeral()
    result = defs.resolve_job_def("monitoring_job").execute_in_process(instance=instance, raise_on_error=False)
    return JobRun(result, [entry.user_message for entry in instance.all_logs(result.run_id)])


def fill_household(engine: EngineSession, children: str, consent: bool = True) -> str:
    """A household filled in ODK's engine, its submission XML: ``children`` one letter each (W: a working
    12-year-old, S: a 16-year-old at school)."""
    form = engine.open()
    if consent:
        start(form, n_children=len(children))
        for i, kind in enumerate(children, start=1):
            child(form, i, **({"dob": "2014-03-15", "working": True} if kind == "W" else {"age": 16}))
    else:
        form.answer({"interview_date": "2026-11-20", "enumerator": "Nguyễn Thị Lan", "consent": "no"})
    payload = form.submit()
    assert (payload["status"], payload["violations"]) == ("ready", [])
    return payload["xml"]


def another(xml: str) -> str:
    """The same answers as another submission (a new instanceID), as a collector filling alike twice sends."""
    return xml.replace(f"<instanceID>{instance_id(xml)}</instanceID>", f"<instanceID>uuid:{uuid.uuid4()}</instanceID>")


def with_bad_answer(xml: str, bad: tuple[str, str] | None) -> str:
    """``xml`` with ``bad[0]`` written over by ``bad[1]``, as a broken phone or a hand-made submission sends."""
    if bad is None:
        return xml
    assert bad[0] in xml, bad
    return xml.replace(bad[0], bad[1], 1)


def instance_id(xml: str) -> str:
    return re.search(r"<instanceID>([^<]+)</instanceID>", xml).group(1)


def edited(xml: str, old: str, new: str) -> str:
    """An edit as ODK Collect sends it: the answers changed, a new instanceID, the old one as deprecatedID."""
    assert old in xml
    previous = instance_id(xml)
    xml = xml.replace(old, new, 1).replace(f"<instanceID>{previous}</instanceID>",
                                           f"<instanceID>uuid:{uuid.uuid4()}</instanceID>"
                                           f"<deprecatedID>{previous}</deprecatedID>")
    return xml
