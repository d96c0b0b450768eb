"""The code location loads, shows the lineage, and takes its secrets only from the environment."""

import importlib
from datetime import timedelta
from pathlib import Path

import dagster as dg
import pytest

from connectors.demo import demo_communes, household_rows
from connectors.forms import FORMS_DIR
from connectors.http import HttpSettings
from connectors.sources import DemoData, OdkCentral
from dagster_project.sources import DemoSource, OdkCentralSource


def load_definitions(monkeypatch, **env) -> dg.Definitions:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    import dagster_project.definitions as module

    return importlib.reload(module).defs


def test_lineage_checks_job_and_schedule(monkeypatch):
    defs = load_definitions(monkeypatch, CLMS_SOURCE="demo")
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"household_survey_form", "raw_household_survey", "households", "children", "household_quarantine",
            "child_classification", "targets", "reference_populations", "administrative_units",
            "indicator_values"} <= keys
    assert {"child_classification", "targets", "administrative_units"} <= {
        p.to_user_string() for p in graph.get(dg.AssetKey("indicator_values")).parent_keys}
    assert {p.to_user_string() for p in graph.get(dg.AssetKey("child_classification")).parent_keys} == {"children"}
    checks = {c.name for c in graph.asset_check_keys}
    assert {"households_accounted_for", "households_communes_valid", "children_ids_unique",
            "children_ages_plausible", "household_rows_linked", "child_classification_complete",
            "young_workers_ages_plausible", "young_worker_classification_complete"} <= checks
    assert defs.resolve_job_def("monitoring_job") and defs.resolve_job_def("reference_job")
    assert defs.resolve_schedule_def("monitoring_job_schedule").cron_schedule == "0 5 * * *"
    assert defs.resolve_sensor_def("reference_uploads")


def test_odk_central_secrets_are_environment_variables(monkeypatch):
    defs = load_definitions(monkeypatch, CLMS_SOURCE="odk_central", ODK_CENTRAL_URL="https://central.example.org",
                            ODK_CENTRAL_EMAIL="viewer@example.org", ODK_CENTRAL_PASSWORD="s3cret-Pa55word",
                            ODK_CENTRAL_PROJECT_ID="7")
    source = defs.resources["household_survey_source"]
    assert source.password == dg.EnvVar("ODK_CENTRAL_PASSWORD")
    assert "s3cret-Pa55word" not in repr(source)
    assert defs.resources["warehouse"].pseudonym_key == dg.EnvVar("CLMS_PSEUDONYM_KEY")


def test_unknown_source_is_a_clear_error(monkeypatch):
    with pytest.raises(ValueError, match="CLMS_SOURCE is .kobo."):
        load_definitions(monkeypatch, CLMS_SOURCE="kobo")


def test_demo_data_is_deterministic_and_realistic():
    communes = demo_communes(FORMS_DIR / "media" / "communes.csv")
    assert len(communes) == 12 and len({p for _, p, _ in communes}) == 4
    rows = list(household_rows(communes, 1500, seed=1))
    assert rows == list(household_rows(communes, 1500, seed=1))
    assert rows != list(household_rows(communes, 1500, seed=2))
    children = [c for r in rows for c in r.get("child", [])]
    assert 2000 < len(children) < 3500
    assert any(r["__system"]["deletedAt"] for r in rows) and any(r["__system"]["edits"] for r in rows)
    assert any(r["location"]["commune"] == "99999" for r in rows)  # bad rows to quarantine
    assert any(r["interview_date"] == "2031-01-01" for r in rows)


def test_each_form_can_come_from_its_own_platform(monkeypatch):
    defs = load_definitions(monkeypatch, CLMS_SOURCE="odk_central", CLMS_SOURCE_ACTIVITY_REPORT="kobotoolbox",
                            CLMS_SOURCE_WORKPLACE_INSPECTION="file", ODK_CENTRAL_URL="https://central.example.org",
                            ODK_CENTRAL_EMAIL="v@example.org", ODK_CENTRAL_PASSWORD="pw-123456",
                            ODK_CENTRAL_PROJECT_ID="7", KOBO_URL="https://kf.example.org", KOBO_TOKEN="tok-123456",
                            KOBO_ASSET_ACTIVITY_REPORT="aXyz")
    kinds = {key: type(resource).__name__ for key, resource in defs.resources.items() if key.endswith("_source")}
    assert kinds == {"household_survey_source": "OdkCentralSource", "case_followup_source": "OdkCentralSource",
                     "activity_report_source": "KoboToolboxSource", "workplace_inspection_source": "FileImportSource",
                     "household_back_check_source": "OdkCentralSource", "case_report_source": "OdkCentralSource"}
    assert defs.resources["activity_report_source"].token == dg.EnvVar("KOBO_TOKEN")


def test_the_resources_only_configure_the_sources(tmp_path: Path, monkeypatch) -> None:
    """A resource builds the plain source from its settings; without a warehouse the demo has no case to visit."""
    monkeypatch.setenv("CLMS_DATA_DIR", str(tmp_path))
    resource = OdkCentralSource(base_url="https://central.example.org", email="viewer@example.org",
                                password="Wr0ng-Horse-Battery", project_id=7, overlap_seconds=60, session_dir="")
    assert resource.source() == OdkCentral(base_url="https://central.example.org", email="viewer@example.org",
                                           password="Wr0ng-Horse-Battery", project_id=7, overlap=timedelta(seconds=60),
                                           http=HttpSettings(read_timeout=120, max_tries=5, backoff_factor=1))
    demo = DemoSource(households=10, seed=4).source()
    assert (demo.case_list_csv, demo.households, demo.seed) == (tmp_path / "case_list" / "cases.csv", 10, 4)
    assert list(demo.open_sync("case_followup", None)) == []  # no warehouse, no open cases, no visits
    assert isinstance(demo, DemoData)
