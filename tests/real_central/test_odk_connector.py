"""The ODK Central connector against a real Central: publishing without its XLSForm converter, refusals in Central's
own words, the sync role, purges and restores reconciled, and a burst that is not re-read forever."""

from __future__ import annotations

import json
import logging
import os
import shutil
import stat
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import dagster as dg
import openpyxl
import pytest
import requests
from sqlalchemy import insert, select

from connectors.errors import REJECTED, UNAVAILABLE, SourceError
from connectors.forms import FORMS_DIR
from connectors.http import HttpSettings
from connectors.odk_central import OdkCentralClient, sync_submissions
from connectors.odk_central.publish import publish_xlsform, read_xlsform
from dagster_project.defs.cases.case_list import case_list
from dagster_project.raw_assets import raw_submissions_asset
from dagster_project.resources import WarehouseResource
from dagster_project.sources import OdkCentralSource
from tests.central_server import NODE24, CentralServer, source_dir
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.connectors.fake_odk_central import FIXTURES
from tests.pipeline.test_case_list import case
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import Case, RawSubmission

pytestmark = pytest.mark.central

MEDIA = FORMS_DIR / "media"
PASSWORD = "Connector-Pass-2026!"
MANAGER, VIEWER = 5, 6
SETTINGS = HttpSettings(connect_timeout=5.0, read_timeout=60.0, max_tries=3, backoff_factor=0.01, backoff_max=0.05)


class People:
    """A new project with a Project Manager and a Project Viewer (web users)."""

    def __init__(self, server: CentralServer, name: str) -> None:
        self.server = server
        self.project = server.create_project(name)
        self.manager, self.viewer = (f"{who}-{self.project}@example.org" for who in ("manager", "viewer"))
        for role, email in ((MANAGER, self.manager), (VIEWER, self.viewer)):
            server.assign(self.project, role, server.create_user(email, PASSWORD))

    def client(self, email: str) -> OdkCentralClient:
        return OdkCentralClient(self.server.url, email, PASSWORD, settings=SETTINGS)


@pytest.fixture
def people(odk_central: CentralServer, request: pytest.FixtureRequest) -> People:
    return People(odk_central, request.node.name[:60])


def with_settings(xlsform: Path, folder: Path, **changes: str) -> Path:
    """A copy of ``xlsform`` with ``changes`` to its settings row (e.g. a raised version)."""
    copy = folder / xlsform.name
    shutil.copy(xlsform, copy)
    workbook = openpyxl.load_workbook(copy)
    sheet = workbook["settings"]
    header = [c.value for c in sheet[1]]
    for name, value in changes.items():
        sheet.cell(row=2, column=header.index(name) + 1).value = value
    workbook.save(copy)
    return copy


def raised(xlsform: Path, folder: Path) -> Path:
    return with_settings(xlsform, folder, version=str(int(read_xlsform(xlsform).version) + 1))


def refusal(action) -> SourceError:
    with pytest.raises(SourceError) as caught:
        action()
    return caught.value


# ---------------------------------------------------------------- publishing


def test_every_form_publishes_without_centrals_xlsform_converter(people: People) -> None:
    """Central here runs without its converter service, as a Docker install whose pyxform container is down."""
    with people.client(people.manager) as client:
        for xlsform in sorted(FORMS_DIR.glob("*.xlsx")):
            result = publish_xlsform(client, people.project, xlsform, MEDIA)
            assert result.action == "created", xlsform.name
            assert publish_xlsform(client, people.project, xlsform, MEDIA).action == "unchanged"
        attachments = {a["name"]: a for a in client.forms.attachments(people.project, "household_survey")}
        assert {n: a["exists"] for n, a in attachments.items()} == {
            "communes.csv": True, "provinces.csv": True, "sampling_units.csv": True}
        [cases] = client.forms.attachments(people.project, "case_followup")
        assert (cases["name"], cases["datasetExists"]) == ("cases.csv", True)  # served from the entity list
    answer = people.server.api("GET", f"/v1/projects/{people.project}/datasets/cases").json()
    assert {"case_type", "status", "due_date", "last_visit", "first_support"} <= {
        p["name"] for p in answer["properties"]}


def test_the_converters_absence_is_told_in_centrals_words(people: People) -> None:
    with people.client(people.manager) as client:
        error = refusal(lambda: client.forms.create(people.project, FORMS_DIR / "household_survey.xlsx"))
    assert error.kind == UNAVAILABLE and error.response.code == "502.2"
    assert "server down or unreachable" not in str(error)
    assert str(error).endswith(
        "ODK Central is up but could not do this (tried 3 times) (HTTP 502, code 502.2: The XLSForm conversion service"
        " could not be contacted. (errno=-111, code=ECONNREFUSED, syscall=connect, address=127.0.0.1, port=5001))")


def test_the_id_of_a_deleted_form_is_used_again(people: People, tmp_path: Path) -> None:
    """Central warns (400.16) that a deleted form had the id; the connector goes on, and says so."""
    form = FORMS_DIR / "activity_report.xlsx"
    with people.client(people.manager) as client:
        publish_xlsform(client, people.project, form, MEDIA)
        assert people.server.api("DELETE", f"/v1/projects/{people.project}/forms/activity_report").ok
        again = publish_xlsform(client, people.project, raised(form, tmp_path), MEDIA)
    assert again.action == "created"


def test_a_refused_form_is_told_in_centrals_words(people: People, tmp_path: Path) -> None:
    form = FORMS_DIR / "activity_report.xlsx"
    changed = raised(form, tmp_path)
    workbook = openpyxl.load_workbook(changed)
    survey = workbook["survey"]
    header = [c.value for c in survey[1]]
    row = next(r for r in survey.iter_rows(min_row=2) if r[header.index("name")].value == "male")
    row[header.index("type")].value = "date"  # integer before: Central refuses to change a field's type
    workbook.save(changed)
    with people.client(people.manager) as client:
        publish_xlsform(client, people.project, form, MEDIA)
        error = refusal(lambda: publish_xlsform(client, people.project, changed, MEDIA))
    assert error.kind == REJECTED and error.response.code == "400.17"
    assert str(error).endswith(
        "request refused (HTTP 400, code 400.17: The form you have uploaded attempts to change the type of the field"
        " at /participants/male. In a previous version, it had the type \"int\". Please either return that field to"
        " its previous type, or rename the field so it lives at a new path.)")


# ---------------------------------------------------------------- the sync role


def test_a_project_viewer_syncs_and_the_case_list_waits_for_a_manager(people: People, warehouse_url: str) -> None:
    """The README's read-only account: every run succeeds; the case list is not published, with a warning that
    names the missing role, until a Project Manager's account is given."""
    with people.client(people.manager) as client:
        publish_xlsform(client, people.project, FORMS_DIR / "case_followup.xlsx", MEDIA)
    engine = make_engine(warehouse_url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(insert(Case), [case(str(uuid.uuid4()), "C-7K3Q9")])  # entity ids are unique server-wide
    resources = {"warehouse": WarehouseResource(url=warehouse_url, pseudonym_key=TEST_PSEUDONYM_KEY)}

    def materialize(email: str) -> tuple[dict, dg.AssetCheckEvaluation, list[str]]:
        source = OdkCentralSource(base_url=people.server.url, email=email, password=PASSWORD,
                                  project_id=people.project, max_tries=2, backoff_factor=0.01,
                                  session_dir=str(people.server.work / "sessions"))
        instance = dg.DagsterInstance.ephemeral()
        result = dg.materialize([case_list], resources={**resources, "case_followup_source": source},
                                instance=instance)
        [check] = result.get_asset_check_evaluations()
        metadata = {k: v.value for k, v in result.asset_materializations_for_node("case_list")[0].metadata.items()}
        warnings = [e.user_message for e in instance.all_logs(result.run_id) if e.level == logging.WARNING]
        return metadata, check, warnings

    metadata, check, warnings = materialize(people.viewer)
    assert metadata["published"] is False and (check.passed, check.severity) == (False, dg.AssetCheckSeverity.WARN)
    assert "(the account needs the Project Manager role) (HTTP 403, code 403.1: " in metadata["not_published_because"]
    assert [w for w in warnings if "The case list was not published" in w and "Project Manager" in w], warnings
    with people.client(people.viewer) as client:
        assert list(sync_submissions(client, people.project, "case_followup")) == []
        form = publish_xlsform(client, people.project, FORMS_DIR / "case_followup.xlsx", MEDIA)
        assert form.action == "unchanged"  # a form already published needs no manager
    metadata, check, _ = materialize(people.manager)
    assert (metadata["published"], metadata["created"], check.passed) == (True, 1, True)


# ---------------------------------------------------------------- purges, restores, bursts

MINI = "household_mini"


def mini_form(people: People) -> None:
    """The recorded fixtures' small form, published by the administrator."""
    answer = people.server.api("POST", f"/v1/projects/{people.project}/forms?publish=true",
                               data=(FIXTURES / "household_mini.xml").read_bytes(),
                               headers={"Content-Type": "application/xml"})
    assert answer.ok, answer.text


def mini_submissions(people: People, count: int) -> list[str]:
    """``count`` households of the small form posted together; their instance ids."""
    template = (FIXTURES / "submission_5.xml").read_text()
    ids = [f"uuid:{uuid.uuid4()}" for _ in range(count)]
    xmls = [template.replace("uuid:996eb553-1911-460c-bfb3-901432c224ff", i).encode() for i in ids]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda xml: people.server.submit(people.project, xml), xmls))
    assert [a.status_code for a in answers] == [201] * count
    return ids


def purge(server: CentralServer, project: int, form: str, instance_id: str) -> None:
    """Central's own purge of a deleted submission (its API has none; ``lib/bin/purge.js`` is what runs nightly)."""
    config = {"default": {"database": {"host": "127.0.0.1", "port": server.pg_port, "user": "jubilant",
                                       "password": "jubilant", "database": "jubilant"}}}
    env = {**os.environ, "NODE_CONFIG_ENV": "production", "NODE_CONFIG": json.dumps(config)}
    done = subprocess.run([str(NODE24), "lib/bin/purge.js", "-f", "-m", "submissions", "-p", str(project), "-x", form,
                           "-s", instance_id], cwd=source_dir(), env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Submissions purged: 1" in done.stdout, done.stdout + done.stderr


def test_purges_and_restores_reach_the_warehouse(people: People, warehouse_url: str) -> None:
    """A restore and a purge move no timestamp: the raw asset finds them by comparing ids, once a day by default,
    at once when forced."""
    mini_form(people)
    kept, restored, purged = mini_submissions(people, 3)
    time.sleep(2.5)  # older than the overlap (1 s, and Central's Date in whole seconds): read once only
    raw = raw_submissions_asset(MINI, "test")
    resources = {"warehouse": WarehouseResource(url=warehouse_url, pseudonym_key=TEST_PSEUDONYM_KEY)}
    engine = make_engine(warehouse_url)
    upgrade(engine)

    def sync(**options) -> dict[str, bool]:
        source = OdkCentralSource(base_url=people.server.url, email=people.viewer, password=PASSWORD,
                                  project_id=people.project, max_tries=2, backoff_factor=0.01, overlap_seconds=1,
                                  session_dir=str(people.server.work / "sessions"), **options)
        dg.materialize([raw], resources={**resources, f"{MINI}_source": source})
        with engine.connect() as conn:
            rows = conn.execute(select(RawSubmission.instance_id, RawSubmission.deleted_at)
                                .where(RawSubmission.form_id == MINI)).all()
        return {instance: deleted is None for instance, deleted in rows}

    form = f"/v1/projects/{people.project}/forms/{MINI}/submissions"
    assert sync() == {kept: True, restored: True, purged: True}
    assert people.server.api("DELETE", f"{form}/{restored}").ok
    assert sync() == {kept: True, restored: False, purged: True}
    assert people.server.api("POST", f"{form}/{restored}/restore").ok
    assert people.server.api("DELETE", f"{form}/{purged}").ok
    purge(people.server, people.project, MINI, purged)
    assert sync() == {kept: True, restored: False, purged: True}  # the last comparison was less than a day ago
    assert sync(force_reconcile=True) == {kept: True, restored: True, purged: False}
    assert sync(reconcile_every_hours=0) == {kept: True, restored: True, purged: False}


def test_a_burst_is_read_again_only_within_the_overlap(people: People) -> None:
    """Phones coming back online together: the burst is read again only by runs that start within the overlap
    after it (on the sync's clock), not by every run until a newer submission comes."""
    mini_form(people)
    overlap = timedelta(seconds=3)
    burst = set(mini_submissions(people, 40))

    def run(cursor: dict | None) -> tuple[set[str], dict]:
        with people.client(people.viewer) as client:
            sync = sync_submissions(client, people.project, MINI, cursor, overlap=overlap, page_size=15)
            return {r.instance_id for r in sync}, sync.cursor

    first, cursor = run(None)
    assert first == burst
    time.sleep(5)
    again, cursor = run(cursor)
    assert again == burst  # the burst arrived within the overlap before the first run began
    later, cursor = run(cursor)
    assert later == set()
    [new] = mini_submissions(people, 1)
    assert run(cursor)[0] == {new}


def test_a_source_keeps_its_session_between_runs(people: People, tmp_path: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    """A run reuses the session a previous run opened (a login costs Central a bcrypt hash); one that Central ended
    is replaced by a new login."""
    mini_form(people)
    folder = tmp_path / "sessions"
    caplog.set_level(logging.DEBUG, logger="urllib3")

    def run() -> tuple[str, int]:
        """A new source's client lists the forms: the token kept afterwards, and the logins it made."""
        caplog.clear()
        source = OdkCentralSource(base_url=people.server.url, email=people.viewer, password=PASSWORD,
                                  project_id=people.project, session_dir=str(folder), read_timeout=30, max_tries=2)
        with source.source().client() as client:
            assert [form["xmlFormId"] for form in client.forms.list(people.project)] == [MINI]
        [kept] = folder.iterdir()
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        return json.loads(kept.read_text(encoding="utf-8"))["token"], caplog.text.count('"POST /v1/sessions HTTP')

    first, logins = run()
    assert logins == 1
    assert run() == (first, 0)  # the second source sent its requests with the kept token
    ended = requests.delete(f"{people.server.url}/v1/sessions/{first}", headers={"Authorization": f"Bearer {first}"},
                            timeout=30)
    assert ended.ok, ended.text
    second, logins = run()
    assert logins == 1 and second != first
    assert first not in caplog.text and second not in caplog.text
