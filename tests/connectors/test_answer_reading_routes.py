"""One strict reading of answers, whatever the route: the hostile answers of tests/faults/test_hostile_answers.py,
delivered as OData rows, by the KoboToolbox sync, and in ODK Central's CSV zip, a KoboToolbox XLSX and a Kobo
JSON export, are read into the same households, children and quarantine rows, reasons included.

ODK Central's own OData feed is not among the routes: Central types an ``int`` answer with JavaScript's
``parseInt`` and a ``decimal`` with ``parseFloat`` (central-backend ``lib/data/odata.js``; a real Central serves
``14 tuổi`` as 14, ``1.4e1`` as 1, ``12,5`` as 12, ``abc`` and ``1e999`` as null), so the text is gone before the
warehouse sees it; its dates arrive as sent and are read strictly. ODK Collect and Enketo only submit numbers the
form's type allows: such a text comes from a hand-made submission, and an export of it is read strictly here.
"""

from __future__ import annotations

from typing import Any

import pytest

from connectors.forms import definition
from connectors.odk_central import record_from_odata_row
from tests.connectors.household_routes import FORM, deliver, form_values
from tests.faults.test_hostile_answers import HOSTILE
from warehouse.clean.household import FORM_ID, Context, parse_household
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.schema.admin_units import load_admin_units

ROUTES = ("kobotoolbox", "file:odk_csv_zip", "file:kobo_xlsx", "file:kobo_json")
PROVENANCE = {"source", "form_version"}  # where a household came from, not what it says
CTX = Context(Pseudonymizer("k" * 32), load_admin_units(), definition(FORM_ID).codes)


def outcome(record: Any) -> dict[str, Any]:
    """What the warehouse makes of one record: the quarantine rows and every row written, but provenance."""
    parsed = parse_household(record, CTX)
    household = parsed.household and {k: v for k, v in parsed.household.items() if k not in PROVENANCE}
    return {"quarantine": parsed.quarantine, "household": household, "household_pii": parsed.household_pii,
            "children": parsed.children, "children_pii": parsed.children_pii}


@pytest.fixture(scope="module")
def outcomes() -> dict[str, dict[str, dict[str, Any]]]:
    """Route → instance id → outcome."""
    rows = [build(n) for n, (build, _) in enumerate(HOSTILE.values(), start=1)]
    routes = deliver([(row["__id"], form_values(row)) for row in rows], FORM.read_bytes())
    routes["odata"] = [record_from_odata_row(row, "7", FORM_ID) for row in rows]
    return {route: {r.instance_id: outcome(r) for r in routes[route]} for route in ("odata", *ROUTES)}


def test_the_odata_rows_end_as_the_hostile_corpus_says(outcomes):
    by_name = dict(zip(HOSTILE, outcomes["odata"].values(), strict=True))
    for name, (_, expected) in HOSTILE.items():
        found = [(q["entity"], q["repeat_index"], q["field"], q["reason_code"]) for q in by_name[name]["quarantine"]]
        assert found == ([] if expected == "clean" else [expected]), name


@pytest.mark.parametrize("route", ROUTES)
def test_every_route_reads_the_hostile_answers_as_the_odata_rows(outcomes, route):
    reference = outcomes["odata"]
    assert set(outcomes[route]) == set(reference)
    for name, (instance_id, expected) in zip(HOSTILE, reference.items(), strict=True):
        assert outcomes[route][instance_id] == expected, f"{route}: {name}"
