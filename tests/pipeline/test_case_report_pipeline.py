"""Case reports through ``dagster.materialize``, on SQLite and PostgreSQL, as they travel for real: the real form
published to a fake ODK Central, reports submitted to it and pulled by the real connector; screened reports open
cases or join the survey's, a person's decision is read from a sheet, and a re-run changes nothing."""

from datetime import date
from pathlib import Path

import dagster as dg
from sqlalchemy import select

from connectors.forms import FORMS_DIR
from dagster_project.defs.cases import assets as case_assets
from dagster_project.defs.cases import checks as case_checks
from dagster_project.defs.household_survey import assets as household_assets
from dagster_project.resources import ReferenceFiles, WarehouseResource
from dagster_project.sources import OdkCentralSource
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.connectors.fake_odk_central import DEFAULT_PASSWORD, FakeOdkCentral
from tests.pipeline.case_report_fixture import MAI, report, surveyed_mai
from tests.pipeline.programme_fixture import visit
from tests.pipeline.test_programme_pipeline import snapshot, submit
from warehouse.cases.case_register import entity_id
from warehouse.schema.db import make_engine
from warehouse.schema.models import (
    Case,
    CaseReport,
    CaseReportMatch,
    CaseVisit,
    Quarantine,
    RestrictedCaseMatchCandidate,
)

PROJECT = 7
PIPELINE = [household_assets.raw_household_survey, household_assets.household_tables,
            household_assets.child_classification, case_assets.raw_case_report, case_assets.case_report_tables,
            case_assets.raw_case_followup, case_assets.case_visit_tables, case_assets.case_visit_classification,
            case_assets.case_match_decisions, case_assets.identified_cases, case_assets.case_register]
CHECKS = [c for c in vars(case_checks).values() if isinstance(c, dg.AssetChecksDefinition)
          and {k.asset_key.to_user_string() for k in c.check_keys} <= {"case_reports", "identified_cases"}]
AGE_ONLY = {"reported_child/dob_known": "no", "reported_child/dob": None, "reported_child/age_stated": 13}
REPORTS = [
    report(1, **{"reported_child/child_name": "NGUYỄN THỊ MAI"}),  # the school reports the survey's Mai
    report(2, reporter_type="police", **AGE_ONLY),  # Mai again? an age only: for a person to decide
    report(3, reporter_type="hotline_111", report_channel="phone", case_type="trafficked", urgency="emergency",
           **{"reported_child/child_name": "Hồ Thị Ngọc Ánh", "reported_child/dob": "2011-06-01"}),
    report(4, reporter_type="community", **{"screening/screening_outcome": "no_case",
                                            "screening/identification_date": None,
                                            "screening/no_case_reason": "not_child_labour"}),
    report(5, **{"location/commune": "99999"}),  # quarantined
]


def materialize(warehouse_url: str, central: FakeOdkCentral, uploads: Path) -> dg.ExecuteInProcessResult:
    source = OdkCentralSource(base_url=central.url, email="admin@example.com", password=DEFAULT_PASSWORD,
                              project_id=PROJECT, read_timeout=5, max_tries=3, backoff_factor=0.01,
                              session_dir=central.session_dir)
    result = dg.materialize(
        [*PIPELINE, *CHECKS],
        resources={"warehouse": WarehouseResource(url=warehouse_url, pseudonym_key=TEST_PSEUDONYM_KEY),
                   "reference_files": ReferenceFiles(folder=str(uploads)),
                   "household_survey_source": source, "case_report_source": source, "case_followup_source": source})
    assert result.success
    assert [e.check_name for e in result.get_asset_check_evaluations() if not e.passed] == []
    return result


def test_reports_open_join_and_wait_then_a_decision(warehouse_url, tmp_path):
    engine = make_engine(warehouse_url)
    with FakeOdkCentral(seed=None) as central:
        central.create_project("Giám sát lao động trẻ em", project_id=PROJECT)
        for form_id in ("household_survey", "case_report", "case_followup"):
            central.publish_form(PROJECT, (FORMS_DIR / f"{form_id}.xlsx").read_bytes())
        submit(central, "household_survey", [surveyed_mai()])
        submit(central, "case_report", REPORTS)
        first = materialize(warehouse_url, central, tmp_path)
        r, m, c = CaseReport, CaseReportMatch, Case
        with engine.connect() as conn:
            reports = conn.execute(select(r.report_code, r.reporter_type, r.screening_outcome)).all()
            links = dict(conn.execute(select(r.reporter_type, m.matched).join(m, m.report_id == r.report_id)).all())
            cases = sorted(conn.execute(select(c.subject_kind, c.identified_source, c.case_type, c.urgent)).all())
            quarantined = conn.execute(select(Quarantine.field, Quarantine.reason_code)
                                       .where(Quarantine.form_id == "case_report")).all()
            analyst = [str(v) for t in (r, m, c) for row in conn.execute(select(t.__table__)) for v in row]
        assert len(reports) == 4 and quarantined == [("location/commune", "UNKNOWN_COMMUNE")]
        assert links == {"school": "exact", "police": "undecided", "hotline_111": "new"}
        assert cases == [("child", "household_survey", "child_labourer", False),  # urgent: the emergency report
                         ("report", "hotline_111", "trafficked", True), ("report", "police", "child_labourer", False)]
        assert not {MAI, "NGUYỄN THỊ MAI", "Hồ Thị Ngọc Ánh", "Lê Thị Hoa", "0912345678", "2013-03-02"} & set(
            analyst)
        identified = first.asset_materializations_for_node("identified_cases")[0].metadata
        assert identified["step/match_candidates"].value == 1

        before = snapshot(engine)
        materialize(warehouse_url, central, tmp_path)
        assert snapshot(engine) == before  # a re-run gives the same warehouse

        police = next(code for code, who, _ in reports if who == "police")
        with engine.connect() as conn:
            survey_case, survey_id = conn.execute(select(c.case_code, c.case_id).where(c.subject_kind == "child")).one()
            police_case = conn.execute(select(c.case_id).where(c.identified_source == "police")).scalar_one()
        # meanwhile the officer visits the police report's own case (the child waits for no decision)
        submit(central, "case_followup", [visit(1, entity_id(police_case), "03-12", "education", "supported",
                                                first_support="03-12", age=13)])
        materialize(warehouse_url, central, tmp_path)
        with engine.connect() as conn:
            assert conn.execute(select(c.visits).where(c.case_id == police_case)).scalar_one() == 1
            assert conn.execute(select(RestrictedCaseMatchCandidate.reason)).scalars().all() == [
                "birth_year_uncertain"]
        (tmp_path / "case_matches").mkdir()
        (tmp_path / "case_matches" / "decisions.csv").write_text(
            "report_code,case_code,decision,decided_by,decided_on\n"
            f"{police},{survey_case},same,Phạm Thu Hà,2026-03-15\n", encoding="utf-8")
        decided = materialize(warehouse_url, central, tmp_path)
        assert decided.asset_materializations_for_node("case_match_decisions")[0].metadata[
            "decisions_recorded"].value == 1
        with engine.connect() as conn:
            links = dict(conn.execute(select(r.reporter_type, m.matched).join(m, m.report_id == r.report_id)).all())
            assert sorted(conn.execute(select(c.subject_kind)).scalars()) == ["child", "report"]
            # the visit moved with the report to the survey's case: one child, one case, its visit counted once
            assert conn.execute(select(CaseVisit.case_id)).scalars().all() == [survey_id]
            assert conn.execute(select(c.visits, c.first_support_on).where(c.case_id == survey_id)).one() == (
                1, date(2026, 3, 12))
            assert conn.execute(select(Quarantine.reason_code).where(Quarantine.form_id == "case_followup")).all() == []
        assert links == {"school": "exact", "police": "decided", "hotline_111": "new"}
    engine.dispose()
