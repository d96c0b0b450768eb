"""Forms service: discovery and the publishing flows (new form, new version, media files, 409)."""

from __future__ import annotations

import json

import pytest

from connectors.errors import ACCESS, CONFLICT, REJECTED, SourceError
from connectors.odk_central import OdkCentralClient
from tests.connectors.conftest import make_client
from tests.connectors.fake_odk_central import FIXTURES, FakeOdkCentral


def follow_up_form(version: str, *, village_type: str = "string") -> bytes:
    """A small XForm whose village list is a CSV media file."""
    return f"""<?xml version="1.0"?><h:html xmlns="http://www.w3.org/2002/xforms"
 xmlns:h="http://www.w3.org/1999/xhtml" xmlns:jr="http://openrosa.org/javarosa"><h:head>
<h:title>Follow-up visit</h:title><model><instance><data id="follow_up" version="{version}">
<village/><children_working/><meta><instanceID/></meta></data></instance>
<instance id="villages" src="jr://file-csv/villages.csv"/>
<bind nodeset="/data/village" type="{village_type}"/><bind nodeset="/data/children_working" type="int"/>
<bind nodeset="/data/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/></model></h:head>
<h:body><select1 ref="/data/village"><label>Village</label><itemset nodeset="instance('villages')/root/item">
<value ref="name"/><label ref="label"/></itemset></select1><input ref="/data/children_working"><label>n</label>
</input></h:body></h:html>""".encode()


VILLAGES = "name,label\nban_pho,Bản Phố\ntan_thanh,Tân Thành\n".encode()


@pytest.fixture
def empty_project(fake: FakeOdkCentral) -> int:
    return fake.create_project("publishing")


def test_discovery(client: OdkCentralClient) -> None:
    [form] = client.forms.list(3)
    assert (form["xmlFormId"], form["submissions"], form["lastSubmission"]) == (
        "household_mini", 4, "2026-11-23T03:47:15.273Z"
    )
    assert client.forms.fields(3, "household_mini") == json.loads((FIXTURES / "form_fields_odata.json").read_text())
    assert [v["version"] for v in client.forms.versions(3, "household_mini")] == ["2026112301"]


def test_create_from_xform_xml(fake: FakeOdkCentral, client: OdkCentralClient, empty_project: int) -> None:
    form = client.forms.create(empty_project, (FIXTURES / "household_mini.xml").read_bytes())
    assert (form["xmlFormId"], form["version"]) == ("household_mini", "2026112301")
    assert form["publishedAt"] is not None
    upload = [r for r in fake.requests if r.method == "POST"][-1]
    assert upload.target == f"/v1/projects/{empty_project}/forms?publish=true"
    assert upload.headers["Content-Type"] == "application/xml"


def test_create_from_xlsx(fake: FakeOdkCentral, client: OdkCentralClient, empty_project: int) -> None:
    form = client.forms.create(empty_project, FIXTURES / "household_mini.xlsx")
    assert (form["xmlFormId"], form["version"]) == ("household_mini", "2026112301")
    assert form["excelContentType"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    upload = next(r for r in fake.requests if r.method == "POST" and "/forms" in r.target)
    assert upload.headers["X-XlsForm-FormId-Fallback"] == "household_mini"
    assert client.forms.fields(empty_project, "household_mini") == client.forms.fields(3, "household_mini")


def test_create_with_media_then_publish_a_new_version(
    fake: FakeOdkCentral, client: OdkCentralClient, empty_project: int
) -> None:
    first = client.forms.create(empty_project, follow_up_form("1"), attachments={"villages.csv": VILLAGES})
    assert first["version"] == "1"
    second = client.forms.publish_version(
        empty_project, "follow_up", follow_up_form("1"), version="2", attachments={"villages.csv": VILLAGES}
    )
    assert second["version"] == "2"
    assert [v["version"] for v in client.forms.versions(empty_project, "follow_up")] == ["2", "1"]
    posts = [r.target.removeprefix(f"/v1/projects/{empty_project}/forms") for r in fake.requests if r.method == "POST"]
    assert posts[1:] == [
        "?publish=false",
        "/follow_up/draft/attachments/villages.csv",
        "/follow_up/draft/publish",
        "/follow_up/draft",
        "/follow_up/draft/attachments/villages.csv",
        "/follow_up/draft/publish?version=2",
    ]


def test_a_media_file_the_form_does_not_use(client: OdkCentralClient, empty_project: int) -> None:
    with pytest.raises(SourceError) as caught:
        client.forms.create(empty_project, follow_up_form("1"), attachments={"village.csv": VILLAGES})
    assert str(caught.value).endswith("form `follow_up` does not use a media file named `village.csv`"
                                      " (HTTP 404, code 404.1: Could not find the resource you were looking for.)")
    assert caught.value.response.code == "404.1"


def test_publishing_an_existing_version_says_to_raise_it(client: OdkCentralClient) -> None:
    with pytest.raises(SourceError) as caught:
        client.forms.publish_version(3, "household_mini", (FIXTURES / "household_mini.xml").read_bytes())
    assert caught.value.kind == CONFLICT
    assert str(caught.value).endswith(
        "version 2026112301 of form `household_mini` is already published: raise the version in the form's settings"
        " (HTTP 409, code 409.6: You tried to publish the form 'household_mini' with version '2026112301', but a"
        " published form has already existed in this project with those identifiers.)"
    )
    assert caught.value.response.code == "409.6"


def test_changing_a_field_type_is_refused(client: OdkCentralClient, empty_project: int) -> None:
    client.forms.create(empty_project, follow_up_form("1"), attachments={"villages.csv": VILLAGES})
    with pytest.raises(SourceError) as caught:
        client.forms.publish_version(empty_project, "follow_up", follow_up_form("2", village_type="int"))
    assert caught.value.kind == REJECTED
    assert "change the type of the field at /village" in str(caught.value)


def test_publishing_needs_the_manager_role(fake: FakeOdkCentral) -> None:
    fake.add_user("viewer@example.com", "viewer-pass-1", project_roles={3: "viewer"})
    with make_client(fake, email="viewer@example.com", password="viewer-pass-1") as client, \
            pytest.raises(SourceError) as caught:
        client.forms.publish_version(3, "household_mini", follow_up_form("9"))
    assert caught.value.kind == ACCESS
    assert str(caught.value).endswith(
        "no permission to change forms in project 3 (the account needs the Project Manager role)"
        " (HTTP 403, code 403.1: The authenticated actor does not have rights to perform that action.)"
    )
