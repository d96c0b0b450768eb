"""The submission XML the fake Central's helpers and the real-Central benchmark post: a demo household, OData row
in, the same answers out of the fake's OData feed."""

from __future__ import annotations


from connectors.demo import FORM_ID, demo_communes, household_row
from connectors.forms import FORMS_DIR
from connectors.odk_central import sync_submissions
from tests.connectors.conftest import make_client
from tests.connectors.fake_odk_central import FakeOdkCentral
from tests.connectors.submission_xml import submission_xml

FORM = FORMS_DIR / f"{FORM_ID}.xlsx"


def answers(row: dict) -> dict:
    """A row without what the server adds (ids, system fields, links, unanswered questions as nulls), numbers as
    floats (a calculated age is text in the form, an int in the demo; a decimal 9.0 comes back as 9)."""
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items()
                    if not k.startswith("__") and "@" not in k and k != "meta" and v is not None}
        if isinstance(value, list):
            return [strip(v) for v in value]
        try:
            return float(value)
        except ValueError:
            return value
    return strip(row)


def test_a_demo_household_posted_as_xml_comes_back_as_its_odata_row() -> None:
    communes = demo_communes(FORMS_DIR / "media" / "communes.csv")
    rows = [household_row(communes, n, 2026) for n in range(6)]
    assert any(isinstance(r.get("location", {}).get("gps"), dict) for r in rows)  # a geopoint in GeoJSON
    with FakeOdkCentral(seed=None) as fake:
        project = fake.create_project("CLMS")
        fake.publish_form(project, FORM.read_bytes())
        with fake._lock:
            version = fake.state.form(project, FORM_ID).current.version
        for row in rows:
            status, message = fake.submit(project, submission_xml(FORM_ID, version, row, row["__id"]))
            assert status == 201, message
        with make_client(fake) as client:
            read = {r.instance_id: r.payload for r in sync_submissions(client, project, FORM_ID)}
    assert {i: answers(p) for i, p in read.items()} == {r["__id"]: answers(r) for r in rows}


def test_an_edit_names_the_version_it_replaces() -> None:
    xml = submission_xml("f", "2", {"a": "x < y", "g": {"b": None}}, "uuid:new", "uuid:old").decode()
    assert xml == ("<?xml version='1.0' ?><data id=\"f\" version=\"2\"><a>x &lt; y</a><g><b/></g>"
                   "<meta><instanceID>uuid:new</instanceID><deprecatedID>uuid:old</deprecatedID></meta></data>")
