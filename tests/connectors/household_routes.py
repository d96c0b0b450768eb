"""The same household-survey answers delivered by every route, as the records each connector yields.

:func:`records_by_route` takes OData rows (e.g. ``tests.pipeline.household_fixture.fixture_rows()``),
turns each into form values and delivers them through

- ``odk_central``: the fake ODK Central (XLSForm published, answers submitted) and the ODK sync;
- ``kobotoolbox``: the fake KoboToolbox (asset deployed, answers received) and the Kobo sync;
- ``file:odk_csv_zip``: a ``submissions.csv.zip`` made of the same answers, read by the importer;
- ``file:kobo_xlsx``: a KoboToolbox XLSX export of the fake Kobo's documents, read by the importer
  (given the edited submissions' ids, as KPI does not export ``meta/rootUuid``);
- ``file:kobo_json``: those documents saved as a data API page, read by the importer.

The canonical payloads then agree on everything but ``__system`` (see :data:`SYSTEM_DIFFERENCES`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pyxform.xls2xform import convert

from connectors.exports import read_kobo_json, read_kobo_xlsx, read_odk_csv_zip
from connectors.form_schema import FormSchema
from connectors.forms import FORMS_DIR
from connectors.kobotoolbox import KoboClient
from connectors.kobotoolbox import sync_submissions as kobo_sync
from connectors.odk_central import OdkCentralClient
from connectors.odk_central import sync_submissions as odk_sync
from connectors.records import SubmissionRecord
from tests.connectors.conftest import FAST
from tests.connectors.export_fixtures import CentralSubmission, kobo_xlsx, odk_csv_zip
from tests.connectors.fake_kobotoolbox import DEFAULT_TOKEN, FakeKoboToolbox
from tests.connectors.fake_odk_central import DEFAULT_PASSWORD, FakeOdkCentral

FORM = FORMS_DIR / "household_survey.xlsx"
ROUTES = ("odk_central", "kobotoolbox", "file:odk_csv_zip", "file:kobo_xlsx", "file:kobo_json")
# What legitimately differs between routes, and why (the answers never do):
SYSTEM_DIFFERENCES = {
    "submissionDate": "when each server (or export) received the submission",
    "updatedAt": "set by ODK Central on an edit or a review; Kobo keeps no modification time, exports omit it",
    "submitterId": "ODK Central's user id; Kobo has none (None)",
    "submitterName": "each platform's account (ODK display name / Kobo username)",
    "formVersion": "ODK: the XLSForm's settings.version; Kobo: KPI's own version id (__version__)",
    "edits": "Kobo does not count edits (None once edited)",
}
RECORD_DIFFERENCES = ("source", "project", "form_version", "submitted_at", "submitter", "received")


def form_values(row: dict[str, Any]) -> dict[str, Any]:
    """The answers of an OData row as form values: system keys dropped, geopoints as ``lat lon alt acc``."""
    values: dict[str, Any] = {}
    for key, value in row.items():
        if key in ("__id", "__system", "meta") or key.endswith("@odata.navigationLink"):
            continue
        if isinstance(value, dict) and value.get("type") == "Point":
            lon, lat, *alt = value["coordinates"]
            accuracy = (value.get("properties") or {}).get("accuracy")
            values[key] = " ".join(str(x) for x in [lat, lon, *alt, *([accuracy] if accuracy is not None else [])])
        elif isinstance(value, dict):
            values[key] = form_values(value)
        elif isinstance(value, list):
            values[key] = [form_values(entry) for entry in value]
        else:
            values[key] = value
    return values


def records_by_route(rows: list[dict[str, Any]], *, edits: dict[str, dict[str, Any]] | None = None,
                     form: Path = FORM) -> dict[str, list[SubmissionRecord]]:
    """Every route's records for ``rows`` (each list in its route's own order).

    ``edits`` maps an instance id to its row as edited on the server (a new ``meta.instanceID``):
    each platform receives the edit its own way before the records are read.
    """
    answers = [(row["__id"], form_values(row)) for row in rows]
    changes = {i: (row["meta"]["instanceID"], form_values(row)) for i, row in (edits or {}).items()}
    return deliver(answers, form.read_bytes(), changes)


def deliver(answers: list[tuple[str, dict[str, Any]]], xlsx: bytes,
            changes: dict[str, tuple[str, dict[str, Any]]] | None = None) -> dict[str, list[SubmissionRecord]]:
    """Every route's records for form values ``(instance id, values)`` of the XLSForm ``xlsx``;
    ``changes`` maps an instance id to ``(new instance id, edited values)``."""
    changes = changes or {}
    schema = FormSchema.from_xform(convert(xlsform=xlsx).xform)
    routes: dict[str, list[SubmissionRecord]] = {}
    with FakeOdkCentral(seed=None) as odk:
        project = odk.create_project("clms")
        odk.publish_form(project, xlsx)
        for instance_id, values in answers:
            odk.add_submission(project, schema.form_id, values, instance_id=instance_id)
        for instance_id, (new_id, values) in changes.items():
            odk.edit_submission(project, schema.form_id, instance_id, values, new_instance_id=new_id)
        with OdkCentralClient(odk.url, "admin@example.com", DEFAULT_PASSWORD, settings=FAST) as client:
            routes["odk_central"] = list(odk_sync(client, project, schema.form_id))
    with FakeKoboToolbox() as kobo:
        asset = kobo.create_asset(xlsx)
        kobo_ids = {instance_id: kobo.add_submission(asset, values, instance_id=instance_id)
                    for instance_id, values in answers}
        for instance_id, (new_id, values) in changes.items():
            kobo.edit_submission(asset, kobo_ids[instance_id], values, new_instance_id=new_id)
        with KoboClient(kobo.url, DEFAULT_TOKEN, settings=FAST) as client:
            routes["kobotoolbox"] = list(kobo_sync(client, asset))
        content, documents = kobo.asset(asset).content, kobo.documents(asset)
    central = [CentralSubmission(i, v, form_version=schema.version) for i, v in answers]
    for submission in central:
        if submission.instance_id in changes:
            submission.current_instance_id, submission.values = changes[submission.instance_id]
            submission.review_state, submission.edits = "edited", 1
    name = schema.form_id
    routes["file:odk_csv_zip"] = list(read_odk_csv_zip(odk_csv_zip(schema, central), schema, name=f"{name}.csv.zip"))
    known_ids = {new_id: instance_id for instance_id, (new_id, _) in changes.items()}
    routes["file:kobo_xlsx"] = list(read_kobo_xlsx(kobo_xlsx(content, documents), schema, name=f"{name}.xlsx",
                                                   known_ids=known_ids))
    page = {"count": len(documents), "next": None, "previous": None, "results": documents}
    routes["file:kobo_json"] = list(read_kobo_json(json.dumps(page).encode(), schema, name=f"{name}.json"))
    return routes


def answer_fields(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload without ``__system``: what must be identical across routes."""
    return {k: v for k, v in payload.items() if k != "__system"}

