"""The same household answers through ODK Central, KoboToolbox and their export files give the same records.

Compared: the instance ids and the whole canonical payload but ``__system`` (the answers, ``meta``,
``__id``, repeat entry ids and navigation links), plus the review state and current instance id.
What legitimately differs is listed in ``household_routes.SYSTEM_DIFFERENCES``.
"""

from __future__ import annotations

import pytest

from tests.connectors.household_routes import ROUTES, SYSTEM_DIFFERENCES, answer_fields, records_by_route
from tests.pipeline.household_fixture import edit_h9, fixture_rows

H9 = "uuid:00000000-0000-4000-8000-000000000009"


@pytest.fixture(scope="module")
def routes() -> dict:
    rows = fixture_rows()
    return records_by_route(rows, edits={H9: edit_h9(next(r for r in rows if r["__id"] == H9))})


def by_id(records: list) -> dict:
    return {r.instance_id: r for r in records}


def test_every_route_delivers_the_same_submissions(routes: dict) -> None:
    assert set(routes) == set(ROUTES)
    expected = {row["__id"] for row in fixture_rows()}
    for route, records in routes.items():
        assert len(records) == len(expected), route
        assert set(by_id(records)) == expected, route


@pytest.mark.parametrize("route", [r for r in ROUTES if r != "odk_central"])
def test_payloads_are_identical_but_for_system_fields(routes: dict, route: str) -> None:
    reference = by_id(routes["odk_central"])
    for instance_id, record in by_id(routes[route]).items():
        odk = reference[instance_id]
        assert answer_fields(record.payload) == answer_fields(odk.payload), (route, instance_id)
        assert (record.current_instance_id, record.review_state) == (odk.current_instance_id, odk.review_state)
        assert list(record.payload["__system"]) == list(odk.payload["__system"])
        same = {k for k, v in record.payload["__system"].items() if odk.payload["__system"][k] == v}
        assert set(odk.payload["__system"]) - same <= set(SYSTEM_DIFFERENCES), route


def test_the_edit_keeps_the_identity_everywhere(routes: dict) -> None:
    for route, records in routes.items():
        edited = by_id(records)[H9]
        assert edited.current_instance_id == "uuid:00000000-0000-4000-9000-000000000009", route
        assert edited.review_state == "edited", route
        assert edited.payload["child"][0]["work"]["hours_day"] == 6, route
        assert edited.payload["meta"]["instanceID"] == edited.current_instance_id, route
