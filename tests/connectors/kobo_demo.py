"""The demo households as KPI documents: what a KoboToolbox data page holds for each, shared by the connector's
differential test and the Kobo benchmark's server (``bench`` imports the test fakes, never the reverse)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.connectors.fake_kobotoolbox import VALIDATION_LABELS, _flatten
from tests.connectors.household_routes import form_values

ASSET_UID = "aBenchHouseholdSurvey2026"
OWNER = "clms_admin"
VERSION_ID = "vBenchVersion2026112301"
FORMHUB_UUID = "0b3ec6e2b1f14a53a7c4bench0000001"


def kobo_document(row: dict[str, Any], kobo_id: int, paths: dict[str, str]) -> dict[str, Any]:
    """The KPI document of a demo row (``row["__system"]`` says its fate; the caller drops deleted rows)."""
    system = row["__system"]
    answers = _flatten(form_values(row), "", paths)
    root, current = row["__id"], row["meta"]["instanceID"]
    document: dict[str, Any] = {"formhub/uuid": FORMHUB_UUID, **answers, "__version__": VERSION_ID,
                                "meta/instanceID": current, "meta/rootUuid": root}
    if current != root:
        document["meta/deprecatedID"] = root
    gps = answers.get("location/gps")
    validation: dict[str, Any] = {}
    if system.get("reviewState") == "approved":
        label, color = VALIDATION_LABELS["validation_status_approved"]
        when = datetime.fromisoformat(system["updatedAt"].replace("Z", "+00:00"))
        validation = {"timestamp": int(when.timestamp()), "uid": "validation_status_approved", "by_whom": OWNER,
                      "color": color, "label": label}
    document.update({
        "_xform_id_string": ASSET_UID,
        "_uuid": current.removeprefix("uuid:"),
        "_id": kobo_id,
        "_attachments": [],
        "_status": "submitted_via_web",
        "_geolocation": [float(x) for x in gps.split()[:2]] if gps else [None, None],
        "_submission_time": system["submissionDate"][:19],
        "_tags": [],
        "_notes": [],
        "_validation_status": validation,
        "_submitted_by": system.get("submitterName"),
    })
    return document
