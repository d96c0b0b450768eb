"""Every default file and folder of the pipeline lies under one data folder: ``CLMS_DATA_DIR``, else the project's
``var/``, whatever the working directory; a folder's own variable wins."""

from pathlib import Path

import pytest

from dagster_project.demo import dagster_home
from dagster_project.folders import folder_path
from dagster_project.sources import case_list_csv
from warehouse.schema.db import default_url

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = {"reports": "CLMS_REPORTS_DIR", "restricted": "CLMS_RESTRICTED_DIR", "reference": "CLMS_REFERENCE_DIR",
           "imports": "CLMS_IMPORT_DIR"}


@pytest.fixture
def no_folder_variables(monkeypatch):
    for variable in (*FOLDERS.values(), "CLMS_WAREHOUSE_URL"):
        monkeypatch.delenv(variable, raising=False)


def defaults() -> list[Path]:
    sqlite = default_url().removeprefix("sqlite:///")
    return [*(Path(folder_path(name)) for name in FOLDERS), case_list_csv(), Path(sqlite), dagster_home()]


def test_every_default_is_under_the_data_folder(no_folder_variables, tmp_path, monkeypatch):
    monkeypatch.setenv("CLMS_DATA_DIR", str(tmp_path))
    assert all(path.is_relative_to(tmp_path) for path in defaults()), defaults()
    assert default_url() == f"sqlite:///{tmp_path / 'warehouse.sqlite'}"


def test_a_folder_s_own_variable_wins(no_folder_variables, tmp_path, monkeypatch):
    monkeypatch.setenv("CLMS_DATA_DIR", str(tmp_path / "data"))
    for name, variable in FOLDERS.items():
        monkeypatch.setenv(variable, str(tmp_path / name))
        assert folder_path(name) == str(tmp_path / name)
    monkeypatch.setenv("CLMS_WAREHOUSE_URL", "postgresql+psycopg://clms@host/clms")
    assert default_url() == "postgresql+psycopg://clms@host/clms"


def test_without_variables_the_project_s_var_whatever_the_working_directory(no_folder_variables, tmp_path,
                                                                            monkeypatch):
    monkeypatch.delenv("CLMS_DATA_DIR")
    here = defaults()
    monkeypatch.chdir(tmp_path)
    assert defaults() == here
    assert all(path.is_absolute() and path.is_relative_to(ROOT / "var") for path in here), here
