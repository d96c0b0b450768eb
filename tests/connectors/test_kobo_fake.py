"""The fake KoboToolbox answers with KPI's shapes (raw HTTP, no connector code): what the connector relies on."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import requests

from tests.connectors.fake_kobotoolbox import DEFAULT_TOKEN, FakeKoboToolbox
from tests.connectors.kobo_fixtures import HOUSEHOLD_XLSX, asset, household, kobo  # noqa: F401 - fixtures

AUTH = {"Authorization": f"Token {DEFAULT_TOKEN}"}


def get(kobo: FakeKoboToolbox, path: str, **params) -> requests.Response:
    return requests.get(f"{kobo.url}{path}", params=params, headers=AUTH, timeout=5)


def test_data_pages_are_drf_limit_offset_pages(kobo: FakeKoboToolbox, asset: str) -> None:
    kobo.max_limit = 2
    ids = [kobo.add_submission(asset, household(n)) for n in range(5)]
    page = get(kobo, f"/api/v2/assets/{asset}/data/", format="json", limit=1000, start=2).json()
    assert list(page) == ["count", "next", "previous", "results"]
    assert page["count"] == 5 and [d["_id"] for d in page["results"]] == ids[2:4]
    assert page["next"].startswith(f"{kobo.url}/api/v2/assets/{asset}/data/?")
    assert parse_qs(urlsplit(page["next"]).query) == {"format": ["json"], "limit": ["2"], "start": ["4"]}
    assert parse_qs(urlsplit(page["previous"]).query) == {"format": ["json"], "limit": ["2"]}
    last = get(kobo, f"/api/v2/assets/{asset}/data/", format="json", start=4).json()
    assert last["next"] is None and len(last["results"]) == 1


def test_query_sort_and_fields(kobo: FakeKoboToolbox, asset: str) -> None:
    ids = [kobo.add_submission(asset, household(n)) for n in range(4)]
    page = get(kobo, f"/api/v2/assets/{asset}/data/", query=json.dumps({"_id": {"$gt": ids[1]}}),
               sort='{"_id": -1}', fields='["_uuid"]').json()
    assert page["count"] == 2
    assert [list(d) for d in page["results"]] == [["_uuid", "meta/rootUuid", "_id", "_validation_status"]] * 2
    assert [d["_id"] for d in page["results"]] == [ids[3], ids[2]]
    refused = get(kobo, f"/api/v2/assets/{asset}/data/", query='{"_id": {"$in": 5}}')
    assert (refused.status_code, refused.json()) == (400, ["Unsupported query"])
    assert get(kobo, f"/api/v2/assets/{asset}/data/", limit=0).json() == {"limit": "A positive integer is required"}


def test_documents_are_flat_strings_with_full_path_repeats(kobo: FakeKoboToolbox, asset: str) -> None:
    kobo_id = kobo.add_submission(asset, household(1, children=1), instance_id="uuid:abc")
    document = get(kobo, f"/api/v2/assets/{asset}/data/").json()["results"][0]
    assert document["household/hh_size"] == "3" and document["location/gps"] == "21.0285 105.8542 10 5"
    assert document["child"][0]["child/work/hours_day"] == "3"
    assert (document["_id"], document["_uuid"], document["meta/instanceID"], document["meta/rootUuid"]) == (
        kobo_id, "abc", "uuid:abc", "uuid:abc")
    assert document["_submission_time"] == "2026-11-23T08:00:01" and document["_validation_status"] == {}
    kobo.edit_submission(asset, kobo_id, household(1, hours=5), new_instance_id="uuid:def")
    kobo.set_validation_status(asset, kobo_id, "validation_status_on_hold")
    edited = get(kobo, f"/api/v2/assets/{asset}/data/").json()["results"][0]
    assert (edited["_id"], edited["_uuid"], edited["meta/instanceID"], edited["meta/rootUuid"],
            edited["meta/deprecatedID"]) == (kobo_id, "def", "uuid:def", "uuid:abc", "uuid:abc")
    assert edited["_validation_status"]["uid"] == "validation_status_on_hold"
    assert edited["_submission_time"] == document["_submission_time"]


def test_authentication_answers(kobo: FakeKoboToolbox, asset: str) -> None:
    anonymous = requests.get(f"{kobo.url}/api/v2/assets/{asset}/", timeout=5)
    assert (anonymous.status_code, anonymous.json()) == (404, {"detail": "Not found."})  # no token: anonymous
    wrong = requests.get(f"{kobo.url}/api/v2/assets/{asset}/", headers={"Authorization": "Token nope"}, timeout=5)
    assert (wrong.status_code, wrong.json()) == (401, {"detail": "Invalid token."})


def test_imports_report_progress_then_the_asset(kobo: FakeKoboToolbox) -> None:
    created = requests.post(f"{kobo.url}/api/v2/imports/", headers=AUTH, timeout=5,
                            data={"library": "false"}, files={"file": ("f.xlsx", HOUSEHOLD_XLSX.read_bytes())})
    assert created.status_code == 201 and created.json()["status"] == "processing"
    path = f"/api/v2/imports/{created.json()['uid']}/"
    assert get(kobo, path).json()["status"] == "processing"
    done = get(kobo, path).json()
    assert done["status"] == "complete" and done["messages"]["created"][0]["kind"] == "asset"
    content = get(kobo, f"/api/v2/assets/{done['messages']['created'][0]['uid']}/").json()["content"]
    province = next(row for row in content["survey"] if row.get("name") == "province")
    assert (province["type"], province["file"]) == ("select_one_from_file", "provinces.csv")
    consent = next(row for row in content["survey"] if row.get("name") == "consent")
    assert (consent["type"], consent["select_from_list_name"], consent["required"]) == ("select_one", "yes_no", True)
    assert content["translations"] == ["Vietnamese (vi)", "English (en)"] and len(consent["label"]) == 2
