"""The ``odk_central`` fixture gives a working Central: a project, a collector, a form, a submission, OData."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.central

FORM = b"""<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
        xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms">
  <h:head>
    <h:title>Harness check</h:title>
    <model>
      <instance>
        <data id="harness_check" version="1">
          <age/>
          <meta><instanceID/></meta>
        </data>
      </instance>
      <bind nodeset="/data/age" type="int"/>
      <bind nodeset="/data/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/>
    </model>
  </h:head>
  <h:body><input ref="/data/age"><label>Age</label></input></h:body>
</h:html>"""

SUBMISSION = (b'<data id="harness_check" version="1"><age>11</age>'
              b'<meta><instanceID>uuid:6f1c1a52-0b7e-4a53-9d0f-2d3c1c9e0a01</instanceID></meta></data>')


def test_a_collector_submission_is_read_back_through_odata(odk_central):
    server = odk_central
    assert server.api("GET", "/v1/users/current").json()["email"] == server.admin_email
    project = server.create_project("harness")
    published = server.api("POST", f"/v1/projects/{project}/forms?publish=true", data=FORM,
                           headers={"Content-Type": "application/xml"})
    assert published.status_code == 200, published.text
    token = server.app_user_token(project, "phone 1")

    answer = server.submit(project, SUBMISSION, token=token)

    assert answer.status_code == 201, answer.text
    rows = server.api("GET", f"/v1/projects/{project}/forms/harness_check.svc/Submissions").json()["value"]
    assert [(row["__id"], row["age"]) for row in rows] == [("uuid:6f1c1a52-0b7e-4a53-9d0f-2d3c1c9e0a01", 11)]
    assert server.submit(project, SUBMISSION, token="not-a-token").status_code == 401
