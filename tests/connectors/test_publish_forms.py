"""Publishing the real forms of forms/ to ODK Central: created, unchanged, a new version with its media."""

import shutil
from pathlib import Path

import dagster as dg
import openpyxl
import pytest

from connectors.forms import FORMS_DIR, HOUSEHOLD_SURVEY
from connectors.odk_central.publish import publish_xlsform, read_xlsform
from dagster_project.raw_assets import form_asset
from dagster_project.sources import OdkCentralSource
from tests.connectors.conftest import make_client
from tests.connectors.fake_odk_central import DEFAULT_PASSWORD, FakeOdkCentral

FORM = FORMS_DIR / "household_survey.xlsx"


def bumped(tmp_path: Path) -> Path:
    copy = tmp_path / FORM.name
    shutil.copy(FORM, copy)
    workbook = openpyxl.load_workbook(copy)
    sheet = workbook["settings"]
    column = [c.value for c in sheet[1]].index("version") + 1
    sheet.cell(row=2, column=column).value = str(int(sheet.cell(row=2, column=column).value) + 1)
    workbook.save(copy)
    return copy


def media_uploads(fake: FakeOdkCentral) -> list[str]:
    return [r.target.rsplit("/", 1)[-1] for r in fake.requests if "/draft/attachments/" in r.target]


def test_read_xlsform_settings_and_media():
    info = read_xlsform(FORM)
    assert info.form_id == "household_survey" and info.version.isdigit()
    assert info.media == ("communes.csv", "provinces.csv", "sampling_units.csv") and info.entity_lists == ()


def test_an_entity_list_is_never_uploaded():
    """Central serves the `cases` dataset as cases.csv; uploading the demo file would cut that link."""
    info = read_xlsform(FORMS_DIR / "case_followup.xlsx")
    assert info.entity_lists == ("cases",) and "cases.csv" not in info.media


def test_publish_create_unchanged_then_new_version(tmp_path):
    with FakeOdkCentral(seed=None) as fake:
        project = fake.create_project("CLMS")
        with make_client(fake) as client:
            first = publish_xlsform(client, project, FORM, FORMS_DIR / "media")
            assert (first.action, first.form_id) == ("created", "household_survey")
            assert sorted(media_uploads(fake)) == ["communes.csv", "provinces.csv", "sampling_units.csv"]
            assert publish_xlsform(client, project, FORM, FORMS_DIR / "media").action == "unchanged"
            newer = publish_xlsform(client, project, bumped(tmp_path), FORMS_DIR / "media")
            assert newer.action == "published" and int(newer.version) == int(first.version) + 1
            assert len(media_uploads(fake)) == 2 * len(read_xlsform(FORM).media)  # every file again with the new version
            versions = {v["version"] for v in client.forms.versions(project, "household_survey")}
            assert {first.version, newer.version} <= versions


def test_missing_media_is_a_clear_error(tmp_path):
    with FakeOdkCentral(seed=None) as fake:
        project = fake.create_project("CLMS")
        with make_client(fake) as client, pytest.raises(FileNotFoundError, match="communes.csv"):
            publish_xlsform(client, project, FORM, tmp_path)


def test_publish_from_dagster():
    with FakeOdkCentral(seed=None) as fake:
        project = fake.create_project("CLMS")
        source = OdkCentralSource(base_url=fake.url, email="admin@example.com", password=DEFAULT_PASSWORD,
                                  project_id=project, max_tries=2, backoff_factor=0.01, session_dir=fake.session_dir)
        result = dg.materialize([form_asset(HOUSEHOLD_SURVEY)], resources={"household_survey_source": source})
        metadata = result.asset_materializations_for_node("household_survey_form")[0].metadata
        assert metadata["action"].value == "created"
        assert DEFAULT_PASSWORD not in repr(metadata)
