"""The settings (``warehouse.infra.settings``): every default file and folder of the pipeline lies under one data
folder, ``CLMS_DATA_DIR``, else the project's ``var/``, whatever the working directory; a folder's own variable
wins; a wrong language or source is refused by name; the README's configuration table documents every variable
the settings read."""

import re
from pathlib import Path

import pytest

from warehouse.infra.settings import FOLDERS, VARIABLES, Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def no_variables(monkeypatch):
    for variable in VARIABLES:
        if variable != "CLMS_DATA_DIR":
            monkeypatch.delenv(variable, raising=False)


def defaults() -> list[Path]:
    settings = Settings.from_environment()
    return [*settings.folders.values(), settings.case_list, settings.central_sessions, settings.dagster_home,
            Path(settings.warehouse_url.removeprefix("sqlite:///"))]


def test_every_default_is_under_the_data_folder(no_variables, tmp_path, monkeypatch):
    monkeypatch.setenv("CLMS_DATA_DIR", str(tmp_path))
    assert all(path.is_relative_to(tmp_path) for path in defaults()), defaults()
    settings = Settings.from_environment()
    assert settings.warehouse_url == f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    assert not settings.warehouse_url_set
    assert (settings.language, set(settings.sources.values())) == ("vi", {"demo"})


def test_a_folder_s_own_variable_wins(no_variables, tmp_path, monkeypatch):
    monkeypatch.setenv("CLMS_DATA_DIR", str(tmp_path / "data"))
    for name, (variable, _) in FOLDERS.items():
        monkeypatch.setenv(variable, str(tmp_path / name))
        assert Settings.from_environment().folders[name] == tmp_path / name
    monkeypatch.setenv("CLMS_WAREHOUSE_URL", "postgresql+psycopg://clms@host/clms")
    settings = Settings.from_environment()
    assert (settings.warehouse_url, settings.warehouse_url_set) == ("postgresql+psycopg://clms@host/clms", True)


def test_a_form_s_source_wins_over_every_form_s(no_variables, monkeypatch):
    monkeypatch.setenv("CLMS_SOURCE", "odk_central")
    monkeypatch.setenv("CLMS_SOURCE_ACTIVITY_REPORT", "kobotoolbox")
    sources = dict(Settings.from_environment().sources)
    assert sources.pop("activity_report") == "kobotoolbox" and set(sources.values()) == {"odk_central"}


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("CLMS_LANGUAGE", "fr", "CLMS_LANGUAGE='fr': expected one of vi, en"),
    ("CLMS_SOURCE", "ftp", "CLMS_SOURCE_HOUSEHOLD_SURVEY or CLMS_SOURCE is 'ftp': expected 'demo', 'odk_central'"),
])
def test_a_wrong_value_is_refused_by_name(no_variables, monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=re.escape(message)):
        Settings.from_environment()


def test_without_variables_the_project_s_var_whatever_the_working_directory(no_variables, tmp_path, monkeypatch):
    monkeypatch.delenv("CLMS_DATA_DIR")
    here = defaults()
    monkeypatch.chdir(tmp_path)
    assert defaults() == here
    assert all(path.is_absolute() and path.is_relative_to(ROOT / "var") for path in here), here


def test_the_readme_documents_every_variable():
    text = (ROOT / "README.md").read_text(encoding="utf-8").partition("\n## Configuration")[2].partition("\n## ")[0]
    documented = {v for v in VARIABLES if f"`{v}`" in text or (v.startswith("CLMS_SOURCE_")
                                                              and "`CLMS_SOURCE_<FORM_ID>`" in text)}
    assert documented == set(VARIABLES), sorted(set(VARIABLES) - documented)
