"""The same household answers through ODK Central, KoboToolbox and their export files give the same records.

Compared: the instance ids and the whole canonical payload but ``__system`` (the answers, ``meta``,
``__id``, repeat entry ids and navigation links), plus the review state and current instance id.
What legitimately differs is listed in ``household_routes.SYSTEM_DIFFERENCES``.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from tests.connectors.household_routes import ROUTES, SYSTEM_DIFFERENCES, answer_fields, deliver, records_by_route
from tests.connectors.test_form_schema import NESTED, NESTED_VALUES
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


def test_nested_repeats_and_edge_values_agree_on_every_route(tmp_path) -> None:
    """Repeats in groups and in repeats, odd numbers, a geopoint, a dateTime: the same on all routes."""
    workbook = Workbook()
    for sheet_name, rows in NESTED.items():
        sheet = workbook.create_sheet(sheet_name)
        columns = list(dict.fromkeys(c for row in rows for c in row))
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(c) for c in columns])
    workbook.remove(workbook["Sheet"])
    saved = io.BytesIO()
    workbook.save(saved)
    second = {**NESTED_VALUES, "n": "-2", "photo": []}
    routes = deliver([("uuid:nested-1", NESTED_VALUES), ("uuid:nested-2", second)], saved.getvalue())
    reference = by_id(routes["odk_central"])
    assert reference["uuid:nested-1"].payload["visit"]["member"][2]["injury"][0]["when"] == "2026-03-04"
    for route, records in routes.items():
        assert {i: answer_fields(r.payload) for i, r in by_id(records).items()} == {
            i: answer_fields(r.payload) for i, r in reference.items()}, route
