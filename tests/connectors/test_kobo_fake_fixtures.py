"""The fake KoboToolbox answers the 100 recorded exchanges the way kpi did.

Each sidecar (``*.meta.json``) in shared/fixtures/kobotoolbox holds a request exactly as sent and kpi's answer.
They are replayed in the order they were made against one fake that starts empty, as the recording's server did
for this asset: the same status, ``Content-Type``, ``Allow``, ``WWW-Authenticate`` scheme and ``Location``, and
the same body (JSON compared value by value in key order, with the raw bytes compact as kpi sends them; XML and
HTML as text). What a real server draws at random (uids, ``$kuid``, hashes, microsecond timestamps) must
correspond one to one: a recorded uid always answers as the same uid of the fake, and the requests that name one
are sent with the fake's. The 1,000 households posted but not recorded one by one are added between the OpenRosa
exchanges and the data pages, from the documents the recording shows where it shows them.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
import requests
from urllib3 import encode_multipart_formdata

from connectors.forms import FORMS_DIR
from connectors.kobotoolbox import KoboClient, sync_submissions
from tests.connectors.conftest import FAST
from tests.connectors.fake_kobotoolbox import DEFAULT_PASSWORD, DEFAULT_TOKEN, OWNER, FakeKoboToolbox
from tests.connectors.fake_odk_central import FIXTURES as ODK_FIXTURES

FIXTURES = ODK_FIXTURES.parent / "kobotoolbox"
SIDECARS = {path.name.removesuffix(".meta.json"): json.loads(path.read_text()) for path in FIXTURES.glob("*.meta.json")}
RECORDED_HOST = "http://127.0.0.1:48000"
VIEWER_TOKEN = "v1ew3r-t0k3n-0123456789abcdef0123456789abcdef"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The order they were made in (the sidecars' times are to the second).
ORDER = [
    "auth_bad_token", "auth_bearer_scheme", "auth_no_token_assets_list",
    "import_create", "import_create_poll1", "asset_detail_after_import",
    "files_upload_communes", "files_upload_provinces", "files_upload_duplicate_name", "files_list",
    "import_refused_duplicate_node_name", "import_refused_duplicate_node_name_poll1",
    "deployment_create", "deployment_create_again", "asset_detail_deployed", "deployment_get",
    "import_replace", "import_replace_poll1", "asset_detail_after_replace", "files_delete", "files_upload_replacement",
    "deployment_redeploy", "deployment_redeploy_stale_version", "asset_detail_redeployed",
    "openrosa_submission_new", "openrosa_submission_no_uuid_prefix", "openrosa_submission_no_children",
    "openrosa_submission_duplicate_identical", "openrosa_submission_duplicate_conflict",
    "openrosa_submission_no_auth", "openrosa_submission_wrong_password", "openrosa_submission_head",
    "auth_good_token_data", "auth_bad_token_data", "auth_no_token_data", "auth_bearer_scheme_data",
    "data_default", "data_limit_1000_sorted", "data_limit_5000", "data_limit_1000_next", "data_query_gt_after_page1",
    "data_query_gt_limit3", "data_query_gt_lte", "data_query_in", "data_query_gt_string", "data_start",
    "data_start_past_end", "data_sort_desc", "data_fields_identity", "data_fields_one", "data_page_page_size",
    "data_single_household_3_children", "data_single_no_children", "data_single_no_uuid_prefix",
    "data_single_by_uuid",
    "openrosa_submission_edit", "openrosa_submission_edit_stale", "data_single_after_edit",
    "data_fields_identity_after_edit", "data_bulk_edit", "data_single_after_bulk_edit",
    "validation_status_get_unset", "validation_status_set_approved", "validation_status_change_on_hold",
    "validation_status_set_not_approved", "validation_status_set_approved_2", "validation_status_set_unknown",
    "validation_statuses_bulk_on_hold", "validation_status_delete", "data_validation_statuses_in_data",
    "data_query_validation_status",
    "data_delete_single", "data_single_after_delete", "data_delete_bulk", "data_after_deletes",
    "data_count_after_deletes", "data_delete_already_deleted",
    "error_unknown_asset_data", "error_unknown_asset_detail", "error_unknown_submission", "error_unknown_import",
    "error_data_no_trailing_slash", "error_limit_zero", "error_limit_not_int", "error_start_negative",
    "error_query_not_json", "error_query_unsupported", "error_sort_not_json", "error_fields_not_json",
    "error_count_param", "error_format_xml",
    "error_viewer_asset_not_shared", "error_viewer_data_not_shared", "permission_assign_view_asset",
    "viewer_asset_view_asset_only", "error_viewer_data_without_view_submissions", "error_viewer_patch_deployment",
    "permission_assign_view_submissions", "viewer_data_with_view_submissions",
    "auth_good_token_assets_list",
]
# Asset keys the fake leaves out: values the connector never reads and kpi derives in ways not worth copying.
ASSET_KEYS_LEFT_OUT = {
    "version__content_hash": "a hash of kpi's own serialization of the content",
    "report_styles": "per-question report settings with kpi's $kuids",
    "assignable_permissions": "kpi's catalogue of permissions",
    "permissions": "the assignments kpi made for the owner when the asset was created",
    "deployment__last_submission_time": "read from kpi's database cache",
}
# Lists compared as the same set, not in the same order: the columns of kpi's summary of a form, in an order that
# follows formpack's expansion of each row and differs between an import and a replacement
UNORDERED = re.compile(r".*\.summary\.columns$")
# Multipart form fields of the recorded imports and file uploads (the sidecars describe them).
MULTIPART = {
    "import_create": [("library", "false"), ("file", ("household_survey.xlsx", FIXTURES / "household_survey.xlsx"))],
    "import_refused_duplicate_node_name": [
        ("library", "false"), ("file", ("workplace_inspection.xlsx", FIXTURES / "workplace_inspection.xlsx"))],
    "import_replace": [("library", "false"), ("destination", f"{RECORDED_HOST}/api/v2/assets/aMSiLfwJaMna6PAVFaErt8/"),
                       ("file", ("household_survey.xlsx", FIXTURES / "household_survey.xlsx"))],
    **{name: [("file_type", "form_media"), ("description", "default"),
              ("metadata", json.dumps({"filename": media})), ("content", (media, FORMS_DIR / "media" / media))]
       for name, media in [("files_upload_communes", "communes.csv"), ("files_upload_provinces", "provinces.csv"),
                           ("files_upload_duplicate_name", "provinces.csv"),
                           ("files_upload_replacement", "communes.csv")]},
}
SUBMISSION_XML = {
    "openrosa_submission_new": "submission_1.xml",
    "openrosa_submission_no_uuid_prefix": "submission_2_no_uuid_prefix.xml",
    "openrosa_submission_no_children": "submission_3_no_children.xml",
    "openrosa_submission_duplicate_identical": "submission_1.xml",
    "openrosa_submission_duplicate_conflict": "submission_1_conflict.xml",
    "openrosa_submission_no_auth": "submission_1.xml", "openrosa_submission_wrong_password": "submission_1.xml",
    "openrosa_submission_edit": "submission_1_edit.xml",
    "openrosa_submission_edit_stale": "submission_1_edit_stale.xml",
}
# kpi's clock when it received these (a second before the answer's Date header)
RECEIVED_AT = {"openrosa_submission_no_uuid_prefix": "2026-12-06T19:00:54"}
_VOLATILE = re.compile(
    r"(?P<uid>\b[a-z]{1,2}(?=[A-Za-z0-9]{21}\b)(?=[a-z0-9]*[A-Z])[A-Za-z0-9]{21}\b)"
    r"|(?P<hex>\b(?:[0-9a-f]{40}|[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\b)"
    r"|(?P<stamp>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(?:Z|\+00:00))")


class Correspondence:
    """Recorded random values ↔ the fake's, required to be one to one."""

    def __init__(self, fake_host: str) -> None:
        self.host = fake_host
        self.forward: dict[str, str] = {}

    def learn(self, recorded: str, fake: str) -> None:
        assert self.forward.setdefault(recorded, fake) == fake, f"{recorded} answered as two different values"
        assert list(self.forward.values()).count(fake) == 1, f"two recorded values became {fake}"

    def translate(self, text: str) -> str:
        text = text.replace(RECORDED_HOST, self.host)
        return _VOLATILE.sub(lambda m: self.forward.get(m.group(), m.group()), text)

    def text(self, recorded: str, fake: str, where: str) -> None:
        """Equal but for the random values, which must correspond."""
        recorded = recorded.replace(RECORDED_HOST, self.host)
        pattern = lambda m: f"\x00{m.lastgroup}\x00"  # noqa: E731
        assert _VOLATILE.sub(pattern, recorded) == _VOLATILE.sub(pattern, fake), where
        for mine, theirs in zip(_VOLATILE.finditer(recorded), _VOLATILE.finditer(fake), strict=True):
            if mine.lastgroup in ("uid", "hex"):
                self.learn(mine.group(), theirs.group())

    def json(self, recorded: Any, fake: Any, where: str = "$") -> None:
        if isinstance(recorded, dict):
            assert isinstance(fake, dict), where
            if "asset_type" in recorded and "uid" in recorded:
                recorded = {k: v for k, v in recorded.items() if k not in ASSET_KEYS_LEFT_OUT}
            assert list(recorded) == list(fake), f"{where}: keys {list(recorded)} != {list(fake)}"
            for key, value in recorded.items():
                if key == "$kuid":
                    assert isinstance(fake[key], str) and len(fake[key]) == len(value), where
                elif key == "timestamp" and isinstance(value, int):
                    assert isinstance(fake[key], int) and abs(fake[key] - value) <= 2, where
                else:
                    self.json(value, fake[key], f"{where}.{key}")
        elif UNORDERED.match(where):
            assert sorted(recorded) == sorted(fake), where
        elif isinstance(recorded, list):
            assert isinstance(fake, list) and len(recorded) == len(fake), f"{where}: {len(recorded)} items"
            for number, (value, other) in enumerate(zip(recorded, fake, strict=True)):
                self.json(value, other, f"{where}[{number}]")
        elif isinstance(recorded, str):
            assert isinstance(fake, str), where
            self.text(recorded, fake, where)
        else:
            assert type(recorded) is type(fake) and recorded == fake, f"{where}: {recorded!r} != {fake!r}"


def recorded_body(meta: dict[str, Any]) -> bytes:
    name = meta["response"].get("body_file")
    return b"" if name is None else (FIXTURES / name).read_bytes()


def unflatten(document: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A Kobo document's answers as form values (groups as dicts, repeats as lists)."""
    values: dict[str, Any] = {}
    for key, value in document.items():
        if key.startswith("_") or key.startswith(("meta/", "formhub/")):
            continue
        relative = key.removeprefix(prefix)
        *groups, name = relative.split("/")
        place = values
        for group in groups:
            place = place.setdefault(group, {})
        place[name] = [unflatten(entry, f"{key}/") for entry in value] if isinstance(value, list) else value
    return values


def recorded_documents() -> dict[int, dict[str, Any]]:
    """Every whole document the recording shows, as first received (before the edits), by ``_id``."""
    documents: dict[int, dict[str, Any]] = {}
    for name in ("data_query_gt_limit3", "data_limit_1000_next", "data_sort_desc"):
        for document in json.loads((FIXTURES / f"{name}.json").read_text())["results"]:
            documents.setdefault(document["_id"], document)
    for document in json.loads((FIXTURES / "data_validation_statuses_in_data.json").read_text())["results"]:
        documents.setdefault(document["_id"], {"_uuid": document["_uuid"]})
    return documents


def add_unrecorded_households(fake: FakeKoboToolbox, asset: str) -> None:
    """``_id`` 1112 (posted with a token) and the 1,000 synthetic households 1113–2112."""
    known = recorded_documents()
    template = json.loads((FIXTURES / "data_single_no_uuid_prefix.json").read_text())
    for kobo_id in range(1112, 2113):
        document = known.get(kobo_id, {})
        whole = document if "_submission_time" in document else template
        fake.clock = datetime.fromisoformat(whole["_submission_time"]).replace(tzinfo=UTC) - timedelta(seconds=1)
        uuid = document.get("_uuid") or f"00000000-0000-5000-8000-{kobo_id:012d}"
        instance = document.get("meta/instanceID") or f"uuid:{uuid}"
        assert fake.add_submission(asset, unflatten(whole), instance_id=instance) == kobo_id


def multipart(name: str, ids: Correspondence) -> tuple[bytes, str]:
    fields = [(key, (value[0], value[1].read_bytes(), XLSX if value[0].endswith("xlsx") else "text/csv"))
              if isinstance(value, tuple) else (key, ids.translate(value)) for key, value in MULTIPART[name]]
    return encode_multipart_formdata(fields)


def replay(fake: FakeKoboToolbox, name: str, ids: Correspondence) -> requests.Response:
    meta = SIDECARS[name]
    request = meta["request"]
    headers = {k: v for k, v in request["headers"].items() if k not in ("Content-Length", "Cookie", "Content-Type")}
    authorization = headers.get("Authorization", "")
    secrets = {"REDACTED-VIEWER-TOKEN": VIEWER_TOKEN, "REDACTED-TOKEN": DEFAULT_TOKEN}
    for redacted, secret in secrets.items():
        authorization = authorization.replace(redacted, secret)
    if authorization == "Basic REDACTED":
        password = "wrong" if name == "openrosa_submission_wrong_password" else DEFAULT_PASSWORD
        authorization = "Basic " + base64.b64encode(f"{OWNER}:{password}".encode()).decode()
    if authorization:
        headers["Authorization"] = authorization
    data = None
    if "body_json" in request:
        data = ids.translate(json.dumps(request["body_json"])).encode()
        headers["Content-Type"] = "application/json"
    elif name in MULTIPART:
        data, headers["Content-Type"] = multipart(name, ids)
    elif name in SUBMISSION_XML:
        xml = ids.translate((FIXTURES / SUBMISSION_XML[name]).read_text()).encode()
        data, headers["Content-Type"] = encode_multipart_formdata(
            [("xml_submission_file", ("submission.xml", xml, "text/xml"))])
    date = dict(meta["response"]["headers"])["Date"]
    fake.clock = (datetime.fromisoformat(RECEIVED_AT[name]).replace(tzinfo=UTC) if name in RECEIVED_AT
                  else parsedate_to_datetime(date).astimezone(UTC))
    return requests.request(request["method"], fake.url + ids.translate(request["url"]), headers=headers, data=data,
                            allow_redirects=False, timeout=30)


def check(response: requests.Response, name: str, ids: Correspondence) -> None:
    meta = SIDECARS[name]
    expected = meta["response"]
    recorded = dict(expected["headers"])
    assert response.status_code == expected["status"]
    assert response.headers.get("Content-Type") == recorded.get("Content-Type")
    assert response.headers.get("Allow") == recorded.get("Allow")
    assert (response.headers.get("WWW-Authenticate") or "").split(" ")[0] == \
        (recorded.get("WWW-Authenticate") or "").split(" ")[0]
    if "Location" in recorded:
        ids.text(recorded["Location"], response.headers["Location"], "Location")
    body = recorded_body(meta)
    if not body:
        assert response.content == b""
    elif meta["response"].get("compact_reserialization_equals_raw"):
        answer = response.json()
        assert response.content == json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()
        trimmed = expected.get("trimmed")
        if trimmed:
            assert len(answer["results"]) == trimmed["results_in_response"]
            answer["results"] = answer["results"][: trimmed["results_kept"]]
        ids.json(json.loads(body), answer)
    else:
        ids.text(body.decode(), response.text, "body")


@pytest.fixture(scope="module")
def replayed() -> Iterator[tuple[FakeKoboToolbox, Correspondence, dict[str, AssertionError]]]:
    """Every exchange replayed in order on one fake, each checked as it comes (a later request may name what an
    earlier answer made): the fake, the correspondence learned, and what failed, by exchange."""
    failures: dict[str, AssertionError] = {}
    with FakeKoboToolbox(first_id=1108, first_asset_id=4, import_polls=0) as fake:  # the server had 3 assets
        fake.add_user("viewer", VIEWER_TOKEN)
        ids = Correspondence(fake.url)
        for name in ORDER:
            if name == "auth_good_token_data":  # the first data page: the unrecorded households were posted by then
                add_unrecorded_households(fake, ids.forward["aMSiLfwJaMna6PAVFaErt8"])
            try:
                if name == "auth_good_token_assets_list":
                    check_asset_list(fake, ids)
                else:
                    check(replay(fake, name, ids), name, ids)
            except AssertionError as failure:
                failures[name] = failure
        yield fake, ids, failures


def test_every_exchange_is_replayed() -> None:
    assert sorted(ORDER) == sorted(SIDECARS) and len(ORDER) == 100


@pytest.mark.parametrize("name", ORDER)
def test_recorded_exchange(replayed: tuple[FakeKoboToolbox, Correspondence, dict[str, AssertionError]],
                           name: str) -> None:
    failure = replayed[2].get(name)
    if failure is not None:
        raise failure


def test_the_connector_reads_what_kpi_held_at_the_end(
        replayed: tuple[FakeKoboToolbox, Correspondence, dict[str, AssertionError]]) -> None:
    """The state the recording left (1,001 submissions: edited, bulk-edited, reviewed, without `uuid:`, deleted),
    synced by the connector with the form read from the asset's content."""
    fake, ids, _ = replayed
    asset = ids.forward["aMSiLfwJaMna6PAVFaErt8"]
    with KoboClient(fake.url, DEFAULT_TOKEN, settings=FAST) as client:
        sync = sync_submissions(client, asset, None)
        records = {r.received["_id"]: r for r in sync}
    assert len(records) == 1001 and sync.cursor["max_id"] == 2112
    assert not {1111, 1118, 1119, 1120} & set(records), "never used, or deleted"
    edited = records[1108]
    assert (edited.instance_id, edited.current_instance_id, edited.review_state) == (
        "uuid:3d1f7add-6afd-5c43-8bb1-2715bf4b4b86", "uuid:32773654-7a6e-587b-8e6f-bbdec1fea370", "edited")
    assert [c["work"]["hours_day"] for c in edited.payload["child"]] == [4, 4]
    assert records[1109].review_state is None and records[1109].current_instance_id == (
        "bbca86c2-30e2-5711-a370-bcfede466254")
    assert records[1110].payload.get("child") in (None, [])
    assert records[1112].review_state == "edited" and records[1112].payload["household"]["hh_size"] == 9
    assert [records[i].review_state for i in range(1113, 1118)] == [
        "hasIssues", "rejected", "approved", "hasIssues", None]


def check_asset_list(fake: FakeKoboToolbox, ids: Correspondence) -> None:
    """The recorded list was asked before the import, of an account that already had three assets: compared on
    the shape of one listed asset (the keys, in kpi's order) once the fake's account has one."""
    meta = SIDECARS["auth_good_token_assets_list"]
    answer = replay(fake, "auth_good_token_assets_list", ids)
    recorded = json.loads(recorded_body(meta))
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    listed = answer.json()
    assert list(listed) == list(recorded) and listed["count"] == 1
    assert list(listed["results"][0]) == [k for k in recorded["results"][0] if k not in ASSET_KEYS_LEFT_OUT]
