"""Deploying forms/ to KoboToolbox: import, poll, media files, deploy or redeploy, and the refusals."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from connectors.errors import ACCESS, REJECTED, UNAVAILABLE, SourceError
from connectors.form_schema import FormSchema
from connectors.forms import FORMS_DIR
from connectors.kobotoolbox import KoboClient
from tests.connectors.fake_kobotoolbox import FakeKoboToolbox
from tests.connectors.kobo_fixtures import (  # noqa: F401 - fixtures
    HOUSEHOLD_XLSX,
    client,
    household_schema,
    kobo,
    make_client,
)

MEDIA = {"provinces.csv": FORMS_DIR / "media" / "provinces.csv", "communes.csv": FORMS_DIR / "media" / "communes.csv"}


def requests_to(kobo: FakeKoboToolbox, fragment: str) -> list[tuple[str, str, int]]:
    return [r for r in kobo.requests if fragment in r[1]]


def live_files(kobo: FakeKoboToolbox, asset_uid: str) -> dict[str, bytes]:
    """The asset's media files that are not deleted: name → content."""
    stored = kobo.asset(asset_uid)
    return {f["metadata"]["filename"]: stored.blobs[uid] for uid, f in stored.files.items()
            if uid not in stored.deleted_files}


def test_a_new_form_is_imported_polled_given_its_media_and_deployed(
    kobo: FakeKoboToolbox, client: KoboClient, household_schema: FormSchema
) -> None:
    kobo.import_polls = 2
    asset = client.assets.deploy(HOUSEHOLD_XLSX, media=MEDIA, poll_interval=0.01)
    assert asset["has_deployment"] and asset["deployed_version_id"] == asset["version_id"]
    assert asset["name"] == "Phiếu khảo sát hộ gia đình về lao động trẻ em"  # its form_title
    assert [r[2] for r in requests_to(kobo, "/imports/")] == [201, 200, 200, 200]  # created, 2× processing, complete
    assert [(m, s) for m, t, s in requests_to(kobo, "/deployment/")] == [("POST", 200)]
    stored = kobo.asset(asset["uid"])
    names = {f["metadata"]["filename"]: uid for uid, f in stored.files.items()}
    assert set(names) == {"provinces.csv", "communes.csv"}
    assert stored.blobs[names["communes.csv"]] == MEDIA["communes.csv"].read_bytes()
    assert client.assets.schema(asset["uid"]) == household_schema


def test_redeploying_replaces_the_form_and_its_media(kobo: FakeKoboToolbox, client: KoboClient) -> None:
    first = client.assets.deploy(HOUSEHOLD_XLSX, media={"provinces.csv": b"name,label\n01,old\n"}, poll_interval=0)
    workbook = load_workbook(HOUSEHOLD_XLSX)
    workbook["settings"]["C2"] = "2026112399"
    changed = io.BytesIO()
    workbook.save(changed)
    again = client.assets.deploy(changed.getvalue(), asset_uid=first["uid"], file_name="household_survey.xlsx",
                                 media={"provinces.csv": MEDIA["provinces.csv"]}, poll_interval=0)
    assert again["uid"] == first["uid"]
    assert again["version_id"] != first["version_id"] and again["deployed_version_id"] == again["version_id"]
    assert [m for m, t, s in requests_to(kobo, "/deployment/")] == ["POST", "PATCH"]
    assert client.assets.schema(first["uid"]).version == "2026112399"
    assert live_files(kobo, first["uid"]) == {"provinces.csv": MEDIA["provinces.csv"].read_bytes()}


def test_a_new_code_list_is_uploaded_and_redeployed(kobo: FakeKoboToolbox, client: KoboClient) -> None:
    asset = client.assets.deploy(HOUSEHOLD_XLSX, media={"provinces.csv": b"name,label\n"}, poll_interval=0)
    client.assets.upload_media(asset["uid"], "provinces.csv", MEDIA["provinces.csv"])
    again = client.assets.redeploy(asset["uid"])
    assert again["deployed_version_id"] == asset["version_id"]
    assert [m for m, t, s in requests_to(kobo, "/deployment/")] == ["POST", "PATCH"]
    assert live_files(kobo, asset["uid"]) == {"provinces.csv": MEDIA["provinces.csv"].read_bytes()}


def test_a_form_kobo_refuses_is_a_clear_error(client: KoboClient) -> None:
    with pytest.raises(SourceError) as caught:
        client.assets.deploy(b"not a workbook", file_name="broken.xlsx", poll_interval=0)
    assert caught.value.kind == REJECTED
    assert str(caught.value).startswith(f"{client.label}: the form broken.xlsx was refused: ")


def test_an_import_that_never_finishes_times_out(kobo: FakeKoboToolbox, client: KoboClient) -> None:
    kobo.import_polls = 10_000
    with pytest.raises(SourceError) as caught:
        client.assets.deploy(HOUSEHOLD_XLSX, poll_interval=0.01, timeout=0.1)
    assert caught.value.kind == UNAVAILABLE
    assert "was not done after 0.1 s (status 'processing')" in str(caught.value)


def test_replacing_a_form_needs_the_edit_permission(kobo: FakeKoboToolbox, client: KoboClient) -> None:
    asset = kobo.create_asset(HOUSEHOLD_XLSX.read_bytes())
    kobo.add_user("viewer", "viewer-token")
    kobo.share(asset, "viewer", "view_asset", "view_submissions")
    with make_client(kobo, token="viewer-token") as viewer:
        with pytest.raises(SourceError) as caught:
            viewer.assets.upload_media(asset, "provinces.csv", b"name,label\n")
        assert caught.value.kind == ACCESS
        assert str(caught.value).endswith(f"no permission to change asset `{asset}`"
                                          " (the account needs the “Edit form” permission)")
        with pytest.raises(SourceError, match="was refused: user cannot update asset"):
            viewer.assets.deploy(HOUSEHOLD_XLSX, asset_uid=asset, poll_interval=0)
