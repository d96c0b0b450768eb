"""The case list from a hand-made case register: rows and labels, cases.csv, and ``case_list`` materialized to the
demo file and to a fake ODK Central (entities created once, then left to the form), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import re
import uuid
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import pytest
from sqlalchemy import insert, update

from connectors.forms import FORMS_DIR
from dagster_project.defs.cases.case_list import case_list
from dagster_project.resources import WarehouseResource
from dagster_project.sources import DemoSource, FileImportSource, OdkCentralSource
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.connectors.conftest import make_client
from tests.connectors.fake_odk_central import DEFAULT_PASSWORD, FakeOdkCentral
from tests.forms.test_contract import survey_rows
from tests.pipeline.programme_fixture import visit as visit_submission
from tests.pipeline.test_definitions import load_definitions
from warehouse.cases.case_list import COLUMNS, FORM_OWNED, PIPELINE_OWNED, case_list_rows, write_cases_csv
from warehouse.cases.case_register import case_id_of, entity_id
from warehouse.cases.case_visit import parse_case_visit
from warehouse.clean.answers import Context
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import Case, CaseVisit, RawSubmission

DEMO_CSV = FORMS_DIR / "media" / "cases.csv"
NEW, SUPPORTED, CLOSED, ELSEWHERE = (f"{n}0000000-0000-4000-8000-00000000000{n}" for n in range(1, 5))
LABEL = re.compile(r"^C-[0-9A-Z]{5} · [^·]+ · (5–12|13–14|15–17) tuổi$")


def case(case_id: str, code: str, *, commune: str = "30313", age_band: str = "13-14", status: str = "open",
         visits: int = 0, last_visit: date | None = None, first_support: date | None = None,
         state: str = "screened", due_on: date | None = date(2026, 11, 23)) -> dict:
    """A case as the register step leaves it (``due_on``: identified Monday 16 November, assessment due in 5
    working days)."""
    return {"case_id": case_id, "case_code": code, "subject_kind": "child", "subject_id": code.lower() * 4,
            "identified_source": "household_survey", "identified_on": date(2026, 11, 16), "year": 2026,
            "quarter": 4, "province_code": commune[:2], "commune_code": commune, "code_list_version": "vn-2025-07",
            "sex": "female", "age_band": age_band, "case_type": "child_labourer", "status": status,
            "first_support_on": first_support, "visits": visits, "last_visit_on": last_visit,
            "closed_on": None, "closure_reason": None, "in_education_at_last_visit": None,
            "child_labour_at_last_visit": None, "state": state, "urgent": False, "due_on": due_on}


def visit(seq: int, case_id: str, visit_date: date, next_visit: date | None, status: str) -> tuple[dict, dict]:
    raw = {"id": seq, "source": "odk_central", "project": "7", "form_id": "case_followup", "instance_id": f"uuid:{seq}",
           "payload": {}, "content_sha256": "0" * 64, "change_seq": seq, "first_loaded_at": "2026-12-01T00:00:00Z",
           "last_changed_at": "2026-12-01T00:00:00Z"}
    row = {"visit_id": f"visit{seq}", "raw_submission_id": seq, "change_seq": seq, "case_id": case_id,
           "visit_date": visit_date, "year": 2026, "quarter": 4, "age": 13, "econ_activity": False,
           "temp_absent": False, "working": False, "case_status": status, "next_visit": next_visit,
           "rules_version": "test", "child_labour": False, "reasons": ""}
    return raw, row


@pytest.fixture
def register(warehouse_url: str) -> str:
    """Four cases: new; supported after two visits; closed; in a commune outside the code list."""
    engine = make_engine(warehouse_url)
    upgrade(engine)
    visits = [visit(1, SUPPORTED, date(2026, 11, 20), date(2026, 12, 4), "open"),
              visit(2, SUPPORTED, date(2026, 11, 27), date(2026, 12, 11), "supported")]
    with engine.begin() as conn:
        conn.execute(insert(Case), [
            case(NEW, "C-7K3Q9"),
            case(SUPPORTED, "C-2M8TX", age_band="5-12", status="supported", visits=2, last_visit=date(2026, 11, 27),
                 first_support=date(2026, 11, 20), state="services", due_on=date(2026, 12, 11)),
            case(CLOSED, "C-9P4WD", age_band="15-17", status="closed", visits=1, last_visit=date(2026, 11, 25),
                 state="closed", due_on=None),
            case(ELSEWHERE, "C-4HJ2R", commune="99999"),
        ])
        conn.execute(insert(RawSubmission), [raw for raw, _ in visits])
        conn.execute(insert(CaseVisit), [row for _, row in visits])
    engine.dispose()
    return warehouse_url


def test_rows_labels_and_due_dates(register: str) -> None:
    rows = {r.case_code: r for r in case_list_rows(make_engine(register), as_of=date(2026, 11, 25))}
    assert list(rows) == ["C-2M8TX", "C-4HJ2R", "C-7K3Q9", "C-9P4WD"]
    new = rows["C-7K3Q9"]
    assert (new.uuid, new.label) == (NEW, "C-7K3Q9 · Xã Mỹ Hòa Hưng · 13–14 tuổi")
    assert new.data == {"case_code": "C-7K3Q9", "commune": "30313", "age_band": "13-14",
                        "case_type": "child_labourer", "status": "open", "due_date": "2026-11-23",
                        "state": "screened", "overdue": "yes"}
    supported = rows["C-2M8TX"]
    assert (supported.label, supported.status, supported.due_date, supported.last_visit, supported.first_support,
            supported.state, supported.overdue) == (
        "C-2M8TX · Xã Mỹ Hòa Hưng · 5–12 tuổi", "supported", "2026-12-11", "2026-11-27", "2026-11-20", "services", "no")
    assert (rows["C-9P4WD"].is_open, rows["C-9P4WD"].due_date, rows["C-9P4WD"].overdue) == (False, "", "no")
    assert rows["C-4HJ2R"].label == "C-4HJ2R · 99999 · 13–14 tuổi"  # no name for the commune: its code
    assert all(LABEL.match(r.label) for r in rows.values())
    later = {r.case_code: r for r in case_list_rows(make_engine(register), as_of=date(2026, 12, 12))}
    assert (later["C-7K3Q9"].overdue, later["C-2M8TX"].overdue) == ("yes", "yes")


def test_cases_csv_has_the_readme_columns_and_open_cases_only(register: str, tmp_path: Path) -> None:
    path = tmp_path / "out" / "cases.csv"
    assert write_cases_csv(case_list_rows(make_engine(register)), path) == 3
    with open(path, encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    with open(DEMO_CSV, encoding="utf-8", newline="") as f:
        assert table[0] == next(csv.reader(f)) == list(COLUMNS)
    assert [r[0] for r in table[1:]] == [ELSEWHERE, NEW, SUPPORTED]  # overdue first, then by due date
    assert table[2] == [NEW, "C-7K3Q9 · Xã Mỹ Hòa Hưng · 13–14 tuổi", "C-7K3Q9", "30313", "13-14", "child_labourer",
                        "open", "2026-11-23", "", "", "screened", "yes"]
    assert path.read_bytes().decode("utf-8")  # UTF-8, no BOM
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_case_id_that_is_not_a_uuid_is_refused(register: str) -> None:
    engine = make_engine(register)
    with engine.begin() as conn:
        conn.execute(insert(Case), [case("not-a-uuid", "C-ZZZZZ")])
    with pytest.raises(ValueError, match="case C-ZZZZZ: its id 'not-a-uuid' is not a UUID"):
        case_list_rows(engine)


ISSUED = case_id_of("a" * 32)  # a case id as the register has always issued them (a version 5 UUID)


def test_every_id_the_case_list_publishes_is_a_version_4_uuid(register: str, tmp_path: Path) -> None:
    """Central accepts only version 4 UUIDs as entity ids; the register keeps the ids it issued."""
    engine = make_engine(register)
    with engine.begin() as conn:
        conn.execute(insert(Case), [case(ISSUED, "C-5V6TA")])
    rows = case_list_rows(engine)
    write_cases_csv(rows, tmp_path / "cases.csv")
    with open(tmp_path / "cases.csv", encoding="utf-8", newline="") as f:
        names = [r["name"] for r in csv.DictReader(f)]
    published = [r.uuid for r in rows] + names
    assert len(published) == 9 and all(
        str(uuid.UUID(u)) == u and uuid.UUID(u).version == 4 and uuid.UUID(u).variant == uuid.RFC_4122
        for u in published)
    issued = next(r for r in rows if r.case_code == "C-5V6TA")
    assert uuid.UUID(ISSUED).version == 5 and issued.uuid == entity_id(ISSUED) != ISSUED


@pytest.mark.parametrize("carried", [entity_id(ISSUED), ISSUED, entity_id(ISSUED).upper()])
def test_a_visit_matches_its_case_whichever_form_of_the_id_it_carries(carried: str) -> None:
    """A follow-up carries the entity id (version 4), or the case id from a case list written before."""
    row = visit_submission(1, carried, "03-20", "none", "open", age=14)
    raw = SimpleNamespace(payload=row, form_id="case_followup", instance_id=row["__id"], source="odk_central",
                          form_version="1", review_state=None, submitted_at=row["__system"]["submissionDate"])
    parsed = parse_case_visit(raw, Context.of_form(Pseudonymizer(TEST_PSEUDONYM_KEY), "case_followup"))
    assert parsed.tables["case_visit"][0]["case_id"] == ISSUED


def materialize(register: str, source, **config) -> dg.ExecuteInProcessResult:
    result = dg.materialize(
        [case_list],
        resources={"warehouse": WarehouseResource(url=register, pseudonym_key=TEST_PSEUDONYM_KEY),
                   "case_followup_source": source},
        run_config={"ops": {"case_list": {"config": config}}} if config else None,
    )
    assert result.success
    return result


def test_demo_source_writes_the_file(register: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CLMS_DATA_DIR", str(tmp_path))
    result = materialize(register, DemoSource())
    metadata = result.asset_materializations_for_node("case_list")[0].metadata
    assert (metadata["written"].value, metadata["open_cases"].value, metadata["cases"].value) == (3, 3, 4)
    assert metadata["action"].value == f"wrote {tmp_path / 'case_list' / 'cases.csv'} (the demo source has no server)"
    preview = metadata["preview"].value
    assert "C-7K3Q9 · Xã Mỹ Hòa Hưng · 13–14 tuổi" in preview and "2026-11-23 | yes" in preview
    assert "C-9P4WD" not in preview
    with open(tmp_path / "case_list" / "cases.csv", encoding="utf-8", newline="") as f:
        assert [r["case_code"] for r in csv.DictReader(f)] == ["C-4HJ2R", "C-7K3Q9", "C-2M8TX"]  # overdue first


def test_file_source_writes_the_same_file(register: str, tmp_path: Path, monkeypatch) -> None:
    """Export files have no server either: the case list goes to the same file, the form is not published."""
    monkeypatch.setenv("CLMS_DATA_DIR", str(tmp_path))
    source = FileImportSource(folder=str(tmp_path / "imports"))
    metadata = materialize(register, source).asset_materializations_for_node("case_list")[0].metadata
    assert metadata["action"].value == f"wrote {tmp_path / 'case_list' / 'cases.csv'} (export files have no server)"
    assert (metadata["written"].value, metadata["source/source"].value) == (3, "file")
    with open(tmp_path / "case_list" / "cases.csv", encoding="utf-8", newline="") as f:
        assert [r["case_code"] for r in csv.DictReader(f)] == ["C-4HJ2R", "C-7K3Q9", "C-2M8TX"]  # overdue first
    published = source.source().publish_form(FORMS_DIR / "case_followup.xlsx", FORMS_DIR / "media")
    assert (published["form_id"], published["action"]) == ("case_followup", "skipped: export files have no server")


def due_on(register: str, case_id: str, day: date | None, **changes: str) -> None:
    engine = make_engine(register)
    with engine.begin() as conn:
        conn.execute(update(Case).where(Case.case_id == case_id).values(due_on=day, **changes))
    engine.dispose()


def test_odk_central_gets_the_open_cases_once(register: str) -> None:
    due_on(register, SUPPORTED, date.today() + timedelta(days=30))  # the case list is made as of today
    with FakeOdkCentral(seed=None) as central:
        central.create_project("cases", project_id=7)
        source = OdkCentralSource(base_url=central.url, email="admin@example.com", password=DEFAULT_PASSWORD,
                                  project_id=7, read_timeout=5, max_tries=2, backoff_factor=0.01,
                                  session_dir=central.session_dir)
        first = materialize(register, source).asset_materializations_for_node("case_list")[0].metadata
        assert (first["created"].value, first["unchanged"].value, first["open_cases"].value) == (3, 0, 3)
        assert first["properties_added"].value == ", ".join(COLUMNS[2:])
        with make_client(central) as odk:
            entity = odk.get(f"/projects/7/datasets/cases/entities/{NEW}")
            assert entity["currentVersion"]["label"] == "C-7K3Q9 · Xã Mỹ Hòa Hưng · 13–14 tuổi"
            assert entity["currentVersion"]["data"]["due_date"] == "2026-11-23"
            assert {e["uuid"] for e in odk.get("/projects/7/datasets/cases/entities")} == {NEW, SUPPORTED, ELSEWHERE}

        second = materialize(register, source).asset_materializations_for_node("case_list")[0].metadata
        assert (second["created"].value, second["unchanged"].value, second["not_in_register"].value) == (0, 3, 0)
        assert (second["updated"].value, second["not_updated"].value) == (0, 0)
        assert DEFAULT_PASSWORD not in repr(second)

        due_on(register, SUPPORTED, date.today() - timedelta(days=1))  # time passed: its next step is overdue
        due_on(register, NEW, None, status="closed", state="closed")  # closed by a visit
        third = materialize(register, source).asset_materializations_for_node("case_list")[0].metadata
        assert (third["created"].value, third["updated"].value, third["unchanged"].value) == (0, 2, 1)
        with make_client(central) as odk:
            overdue = {e: odk.get(f"/projects/7/datasets/cases/entities/{e}")["currentVersion"]["data"]["overdue"]
                       for e in (NEW, SUPPORTED)}
        assert overdue == {NEW: "no", SUPPORTED: "yes"}


def test_the_properties_the_pipeline_keeps_current_are_those_the_form_never_saves() -> None:
    saved = {cells["save_to"] for cells in survey_rows("case_followup.xlsx").values() if cells.get("save_to")}
    assert FORM_OWNED == saved
    assert set(PIPELINE_OWNED) == set(COLUMNS[2:]) - saved == {"case_code", "commune", "age_band", "overdue"}


@pytest.mark.central
@pytest.mark.parametrize("warehouse_url", ["sqlite"], indirect=True)
def test_a_real_central_creates_the_cases_entities(register: str, odk_central) -> None:
    """Central refused every case id the register issued (version 5: ``400.11``); their entity ids are taken."""
    engine = make_engine(register)
    with engine.begin() as conn:
        conn.execute(insert(Case), [case(ISSUED, "C-5V6TA")])
    project = odk_central.create_project("case list v4")
    source = OdkCentralSource(base_url=odk_central.url, email=odk_central.admin_email,
                              password=odk_central.admin_password, project_id=project, max_tries=2,
                              session_dir=str(odk_central.work / "sessions"))
    first = materialize(register, source).asset_materializations_for_node("case_list")[0].metadata
    assert (first["created"].value, first["unchanged"].value) == (4, 0)
    entities = odk_central.api("GET", f"/v1/projects/{project}/datasets/cases/entities").json()
    assert {e["uuid"] for e in entities} == {NEW, SUPPORTED, ELSEWHERE, entity_id(ISSUED)}
    second = materialize(register, source).asset_materializations_for_node("case_list")[0].metadata
    assert (second["created"].value, second["unchanged"].value, second["not_in_register"].value) == (0, 4, 0)


def test_the_code_location_runs_the_case_list_after_the_register(monkeypatch) -> None:
    defs = load_definitions(monkeypatch, CLMS_SOURCE="demo")
    node = defs.resolve_asset_graph().get(dg.AssetKey("case_list"))
    assert ({p.to_user_string() for p in node.parent_keys}, node.group_name) == ({"case_register"}, "cases")
