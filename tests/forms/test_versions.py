"""forms/versions.json: a form's cells cannot change without a higher settings.version."""

from __future__ import annotations

import datetime
import re
import shutil

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import Font

from tests.forms.xlsform_tools import (
    FORMS_DIR, UPDATE_COMMAND, content_sha256, current_versions, form_files, load_recorded, settings_version,
    update_versions, version_problems,
)

FORM = FORMS_DIR / "household_survey.xlsx"


def test_versions_json_describes_every_form():
    problems = version_problems(load_recorded(), current_versions())
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", form_files(), ids=lambda path: path.name)
def test_version_is_yyyymmddnn(path):
    version = settings_version(path)
    assert re.fullmatch(r"\d{10}", version), f"{path.name}: settings.version {version!r} is not yyyymmddNN"
    datetime.date(int(version[:4]), int(version[4:6]), int(version[6:8]))


@pytest.fixture
def forms_copy(tmp_path):
    """A copy of forms/ with the household survey, and a versions.json recording it as it is."""
    shutil.copy(FORM, tmp_path / FORM.name)
    versions = tmp_path / "versions.json"
    assert update_versions(tmp_path, versions) == []
    return tmp_path / FORM.name, versions


def edit(path, sheet, row, column, value):
    workbook = openpyxl.load_workbook(path)
    header = [cell.value for cell in workbook[sheet][1]]
    workbook[sheet].cell(row, header.index(column) + 1).value = value
    workbook.save(path)


def test_resaving_with_other_formatting_keeps_the_hash(forms_copy):
    path, _ = forms_copy
    before = content_sha256(path)
    workbook = openpyxl.load_workbook(path)
    workbook["survey"]["A2"].font = Font(italic=True, color="FF0000")
    workbook["survey"]["B2"].comment = Comment("checked", "data manager")
    workbook["survey"].column_dimensions["C"].width = 99
    workbook["choices"].cell(500, 5).value = ""
    workbook.save(path)
    assert content_sha256(path) == before


def test_change_without_version_bump_is_reported_and_not_recorded(forms_copy):
    path, versions = forms_copy
    recorded = versions.read_text()
    edit(path, "survey", 4, "label::English (en)", "Date of the interview")
    problems = version_problems(load_recorded(versions), current_versions(path.parent))
    assert len(problems) == 1
    assert problems[0].startswith(f"forms/{FORM.name} changed but its settings.version is still ")
    assert "set a higher version" in problems[0] and UPDATE_COMMAND in problems[0]
    assert update_versions(path.parent, versions) == problems
    assert versions.read_text() == recorded


def test_change_with_version_bump_is_recorded(forms_copy):
    path, versions = forms_copy
    higher = str(int(settings_version(path)) + 1)
    edit(path, "survey", 4, "label::English (en)", "Date of the interview")
    edit(path, "settings", 2, "version", higher)
    assert version_problems(load_recorded(versions), current_versions(path.parent)) == [
        f"forms/{FORM.name}: settings.version is {higher} but forms/versions.json records "
        f"{settings_version(FORM)}: run `{UPDATE_COMMAND}`."]
    assert update_versions(path.parent, versions) == []
    assert load_recorded(versions)[FORM.name] == {"version": higher, "sha256": content_sha256(path)}


def test_lower_version_is_refused(forms_copy):
    path, versions = forms_copy
    edit(path, "settings", 2, "version", "2020010101")
    problems = update_versions(path.parent, versions)
    assert problems == [f"forms/{FORM.name}: settings.version 2020010101 must be greater than the recorded "
                        f"{settings_version(FORM)} (ODK Central and KoboToolbox refuse to publish a version twice)."]


def test_new_and_removed_forms_are_reported(forms_copy):
    path, versions = forms_copy
    shutil.copy(path, path.with_name("other.xlsx"))
    path.unlink()
    problems = version_problems(load_recorded(versions), current_versions(path.parent))
    assert sorted(problems) == [
        f"forms/other.xlsx is not recorded in forms/versions.json: run `{UPDATE_COMMAND}`.",
        f"forms/versions.json records forms/{FORM.name}, which no longer exists: run `{UPDATE_COMMAND}`.",
    ]
