"""Households filled in ODK's xforms-engine, posted to a real ODK Central, synced by the pipeline's connector and
parsed. A group that is not relevant is left out of the engine's XML; Central (central-backend 4f5943d1,
``lib/data/odata.js`` ``generateDataFrame``) sends it as an object whose answers are all null, not as null (the
parser takes both, and a group left out: ``tests/warehouse/test_null_answers.py``). A number Central cannot read
comes as null too. The parser reads each as the form means it."""

from __future__ import annotations

import pytest

from connectors.odk_central import OdkCentralClient, sync_submissions
from tests.connectors.conftest import FAST
from tests.forms.engine_session import EngineSession
from tests.forms.test_engine_household_survey import child, start
from tests.forms.xlsform_tools import FORMS_DIR, convert_form
from warehouse.clean.answers import Context
from warehouse.clean.household import UNKNOWN_AREA, parse_household
from warehouse.clean.pseudonym import Pseudonymizer

pytestmark = [pytest.mark.engine, pytest.mark.central]

FORM = FORMS_DIR / "household_survey.xlsx"
FORM_ID = "household_survey"


@pytest.fixture(scope="module")
def project(odk_central) -> int:
    """A project with the household survey published as its XForm, with the code lists it names."""
    project_id = odk_central.create_project("Hộ gia đình không đồng ý")
    xform = convert_form(FORM).xform.encode()
    forms = f"/v1/projects/{project_id}/forms"
    steps = [("POST", forms, {"data": xform, "headers": {"Content-Type": "application/xml"}})]
    steps += [("POST", f"{forms}/{FORM_ID}/draft/attachments/{name}",
               {"data": (FORMS_DIR / "media" / name).read_bytes(), "headers": {"Content-Type": "text/csv"}})
              for name in ("provinces.csv", "communes.csv")]
    steps.append(("POST", f"{forms}/{FORM_ID}/draft/publish", {}))
    for method, path, options in steps:
        answer = odk_central.api(method, path, **options)
        assert answer.ok, (path, answer.status_code, answer.text[:300])
    return project_id


def posted_and_synced(server, project_id: int, xml: str):
    """The record the connector makes of ``xml`` once Central has it."""
    answer = server.submit(project_id, xml.encode())
    assert answer.status_code == 201, answer.text[:300]
    instance = xml.split("<instanceID>", 1)[1].split("<", 1)[0]
    with OdkCentralClient(server.url, server.admin_email, server.admin_password, settings=FAST) as client:
        (record,) = [r for r in sync_submissions(client, project_id, FORM_ID) if r.instance_id == instance]
    return record


def parsed(record):
    return parse_household(record, Context.of_form(Pseudonymizer("k" * 32), FORM_ID))


def filled(engine: EngineSession, fill) -> str:
    form = engine.open()
    fill(form)
    payload = form.submit()
    assert (payload["status"], payload["violations"]) == ("ready", [])
    return payload["xml"]


def test_a_household_without_consent_loads_from_central_s_null_groups(engine, odk_central, project):
    xml = filled(engine, lambda form: form.answer({"enumerator": "Nguyễn Thị Lan", "consent": "no"}))
    record = posted_and_synced(odk_central, project, xml)
    location, household = record.payload["location"], record.payload["household"]
    assert "<location>" not in xml and not any(location.values()) and not any(household.values())
    result = parsed(record)
    assert result.quarantine == []
    assert (result.household["consent"], result.household["commune_code"], result.household["hh_size"]) == (
        False, UNKNOWN_AREA, None)


def test_a_child_not_working_loads_from_a_null_work_group(engine, odk_central, project):
    def household(form):
        start(form, n_children=1)
        child(form, 1, age=9)

    record = posted_and_synced(odk_central, project, filled(engine, household))
    assert not any(record.payload["child"][0]["work"].values())
    result = parsed(record)
    assert result.quarantine == [] and result.children[0]["working"] is False


def test_a_household_size_central_cannot_read_is_missing_or_unreadable(engine, odk_central, project):
    xml = filled(engine, lambda form: start(form, n_children=0, hh_size=4))
    record = posted_and_synced(odk_central, project, xml.replace("<hh_size>4</hh_size>", "<hh_size>nhiều</hh_size>"))
    assert record.payload["household"]["hh_size"] is None
    assert [(q["field"], q["reason_code"]) for q in parsed(record).quarantine] == [
        ("household/hh_size", "MISSING_OR_UNREADABLE")]
