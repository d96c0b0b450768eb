"""The demo's survey rounds through the whole pipeline (``dagster.materialize``, SQLite and PostgreSQL): a
stratified two-stage sample (strata province × urban/rural, villages as primary units, weights from the uploaded
sample frame) and a census commune, published as design-based estimates.

The independent calculation: ``svy`` (validated against R's ``survey``) on the unit-level rows read back from the
warehouse (each child with its household's round, unit and commune), with the weights worked out in the test from
the frame file itself (households listed / (unit probability × consenting households of the unit)) and the census
strata given their population size, so that their finite-population correction is 0.
"""

import shutil
from datetime import date
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from dagster_project.defs.household_survey import assets
from dagster_project.defs.indicators import assets as indicator_assets
from dagster_project.defs.reference import assets as reference_assets
from dagster_project.resources import ReferenceFiles, WarehouseResource
from dagster_project.sources import DemoSource
from tests.conftest import TEST_PSEUDONYM_KEY
from warehouse.infra.bulk import read_frame
from warehouse.infra.versioned import REFERENCE_DIR
from warehouse.reference import reference_data as ref
from warehouse.report import ReportArea, gather_report
from warehouse.report.html_page import render_html
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.models import Child, ChildClassification, Household, IndicatorValue

DEMO_FRAME = REFERENCE_DIR / "demo" / "sample_frame_demo.csv"
ASSETS = [assets.raw_household_survey, assets.household_tables, assets.child_classification,
          reference_assets.targets, reference_assets.reference_populations, reference_assets.sample_frame,
          reference_assets.administrative_units, indicator_assets.indicator_values]
CENSUS_COMMUNE = "30307"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def warehouse(request, tmp_path_factory):
    """On SQLite, the demo warehouse as ``make demo`` leaves it (``demo_run``, tests/pipeline/conftest.py), whose
    uploads hold the demo frame; on PostgreSQL, the survey's assets with that frame alone."""
    if request.param == "sqlite":
        _, _, url = request.getfixturevalue("demo_run")
        return WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY).engine()
    tmp = tmp_path_factory.mktemp(request.param)
    url = request.getfixturevalue("postgres_server").create_database(f"clms_design_{tmp.name}")
    (tmp / "uploads" / "frames").mkdir(parents=True)
    shutil.copy(DEMO_FRAME, tmp / "uploads" / "frames" / DEMO_FRAME.name)
    resource = WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY)
    result = dg.materialize(ASSETS, resources={
        "warehouse": resource, "household_survey_source": DemoSource(),
        "reference_files": ReferenceFiles(folder=str(tmp / "uploads"))})
    assert result.success
    return resource.engine()


def cells(engine) -> pd.DataFrame:
    columns = [c.name for c in IndicatorValue.__table__.columns]
    with engine.connect() as conn:
        frame = read_frame(conn, select(IndicatorValue).where(IndicatorValue.source == "household_survey"), columns)
    return frame.set_index(["indicator_id", "rule_set", "period", "area_level", "area_code", "code_list_version",
                            "dimension", "dimension_value"]).sort_index()


def children(engine) -> pd.DataFrame:
    """Every classified child (vn_law) with its household's round, unit and commune, and the weights of the
    frame file worked out here."""
    h, c, cc = Household, Child, ChildClassification
    with engine.connect() as conn:
        kids = read_frame(conn, select(h.survey_round, h.psu_code, h.commune_code, h.province_code, h.year,
                                       cc.child_labour).join(c, c.household_id == h.household_id)
                          .join(cc, cc.child_id == c.child_id).where(cc.rule_set == "vn_law"),
                          ["round_id", "psu_code", "commune", "province", "year", "child_labour"])
        homes = read_frame(conn, select(h.survey_round, h.psu_code).where(h.consent), ["round_id", "psu_code"])
    frame = pd.read_csv(DEMO_FRAME, dtype=str, keep_default_na=False)
    interviewed = homes.value_counts().rename("interviewed").reset_index()
    frame = frame.merge(interviewed, on=["round_id", "psu_code"])
    census = frame["design"] == "census"
    listed = frame["households_listed"].astype(float)
    frame["weight"] = np.where(census, 1.0, listed / (pd.to_numeric(frame["psu_probability"], errors="coerce")
                                                       * frame["interviewed"]))
    frame["stratum"] = frame["round_id"] + "/" + np.where(census, frame["commune_code"], frame["stratum"])
    frame["psu"] = frame["round_id"] + ":" + frame["psu_code"]
    # a census stratum's population is its units, all taken (FPC 0); a sample stratum's is taken as unbounded
    frame["units"] = np.where(census, frame.groupby("stratum")["psu"].transform("nunique"), 1e12)
    kids = kids.merge(frame[["round_id", "psu_code", "weight", "stratum", "psu", "units"]], on=["round_id", "psu_code"])
    return kids.assign(child_labour=kids["child_labour"].astype(float))


def svy_estimate(rows: pd.DataFrame) -> pd.Series:
    svy = pytest.importorskip("svy")
    import polars as pl

    sample = svy.Sample(pl.from_pandas(rows.reset_index(drop=True)),
                        svy.Design(stratum="stratum", psu="psu", wgt="weight", pop_size="units"))
    result = sample.estimation.prop("child_labour", ci_method="korn-graubard", deff="wr").to_polars().to_pandas()
    return result[result["child_labour"] == 1.0].iloc[0]


@pytest.mark.parametrize("level,area,version", [("national", "VN", "national"), ("province", "01", "vn-2025-07"),
                                                ("province", "20", "vn-2025-07")])
def test_weighted_rate_and_its_interval_match_svy(warehouse, level, area, version):
    kids = children(warehouse)
    kids = kids[(kids["year"] == 2026) & ((kids["province"] == area) | (area == "VN"))]
    theirs = svy_estimate(kids)
    ours = cells(warehouse).loc[("1.1", "vn_law", "2026", level, area, version, "total", "all")]
    assert ours["design_kind"] == "sample" and ours["interval_method"] == "korn_graubard"
    assert ours["value"] == pytest.approx(theirs["est"], rel=1e-9)
    assert ours["deff"] == pytest.approx(theirs["deff"], rel=1e-6)
    assert ours["ci_low"] == pytest.approx(theirs["lci"], rel=1e-6, abs=1e-12)
    assert ours["ci_high"] == pytest.approx(theirs["uci"], rel=1e-6)
    assert ours["denominator"] == len(kids)
    assert ours["effective_n"] < len(kids) or ours["deff"] <= 1


def test_a_census_commune_gives_exact_values(warehouse):
    kids = children(warehouse)
    kids = kids[(kids["commune"] == CENSUS_COMMUNE) & (kids["year"] == 2026)]
    ours = cells(warehouse).loc[("1.1", "vn_law", "2026", "commune", CENSUS_COMMUNE, "vn-2025-07", "total", "all")]
    assert ours["design_kind"] == "census" and ours["interval_method"] == "exact"
    assert ours["value"] == kids["child_labour"].sum() / len(kids)
    assert pd.isna(ours["ci_low"]) and pd.isna(ours["ci_high"]) and pd.isna(ours["deff"])
    frame = pd.read_csv(DEMO_FRAME, dtype=str)
    listed = frame.loc[(frame["commune_code"] == CENSUS_COMMUNE) & (frame["round_id"] == "RS2026"),
                       "households_listed"].astype(int).sum()
    with warehouse.connect() as conn:
        interviewed = len(conn.execute(select(Household.household_id).where(
            Household.commune_code == CENSUS_COMMUNE, Household.year == 2026, Household.consent)).all())
    assert ours["coverage"] == pytest.approx(interviewed / listed)


def test_ha_noi_rate_is_published_with_its_interval_and_a_status(warehouse):
    """Hà Nội's plan (below 1%) is set for the city as it was before July 2025, all of it in today's Hà Nội."""
    published = cells(warehouse)
    for year in ("2025", "2026"):
        ha_noi = published.loc[("1.1", "vn_law", year, "province", "01", "vn-legacy", "total", "all")]
        assert ha_noi["design_kind"] == "sample"
        assert not ha_noi["suppressed"]
        assert ha_noi["ci_low"] <= ha_noi["value"] <= ha_noi["ci_high"]
        assert ha_noi["target_comparator"] == "<" and ha_noi["target_value"] == pytest.approx(0.01)
        expected = ("met" if ha_noi["ci_high"] < 0.01 else "off_track" if ha_noi["ci_low"] >= 0.01
                    else "cannot_tell")
        assert ha_noi["status"] == expected


def test_households_without_a_design_are_never_representative(warehouse):
    """Every cell of a designed area is estimated by its design; the cells of the other sources and of an area
    without any designed household keep no design."""
    published = cells(warehouse)
    kinds = published["design_kind"].dropna().unique()
    assert set(kinds) <= {"sample", "census", "no_design"}
    no_design = published[published["design_kind"] == "no_design"]
    assert (no_design["interval_method"].isin(["wilson_srs"]) | no_design["interval_method"].isna()).all()
    designed = published[published["design_kind"] == "sample"]
    assert designed["deff"].notna().any() and (designed["interval_method"] == "korn_graubard").all()


@pytest.mark.parametrize("readme", ["README.md", "README.vi.md"])
def test_the_readme_weighted_query_gives_the_published_rates(warehouse, readme):
    import re

    from sqlalchemy import text

    blocks = re.findall(r"```sql\n(.*?)```", (Path(__file__).parents[2] / readme).read_text(encoding="utf-8"),
                        re.DOTALL)
    query = next(b for b in blocks if "FROM sample_frame_unit" in b)
    with warehouse.connect() as conn:
        rows = conn.execute(text(query)).all()
    published = cells(warehouse)
    assert len(rows) == 8  # four provinces, two years
    for province, year, rate in rows:
        ours = published.loc[("1.1", "vn_law", str(year), "province", province, "vn-2025-07", "total", "all")]
        assert float(rate) == pytest.approx(ours["value"], rel=1e-9)


def test_a_withdrawn_frame_leaves_no_designed_cell(tmp_path):
    """The frame file deleted, the next publication presents no cell as designed (the frame is part of what the
    published cells depend on: a change republishes everything)."""
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    (tmp_path / "uploads" / "frames").mkdir(parents=True)
    shutil.copy(DEMO_FRAME, tmp_path / "uploads" / "frames" / DEMO_FRAME.name)
    resources = {"warehouse": WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY),
                 "household_survey_source": DemoSource(households=300),
                 "reference_files": ReferenceFiles(folder=str(tmp_path / "uploads"))}
    assert dg.materialize(ASSETS, resources=resources).success
    engine = resources["warehouse"].engine()
    assert (cells(engine)["design_kind"] == "sample").any()
    (tmp_path / "uploads" / "frames" / DEMO_FRAME.name).unlink()
    assert dg.materialize([reference_assets.sample_frame, indicator_assets.indicator_values],
                          resources=resources).success
    kinds = set(cells(engine)["design_kind"])
    assert "sample" not in kinds and "census" not in kinds and "no_design" in kinds


def test_pilot_and_other_communes_are_compared_on_their_design_based_estimates(warehouse):
    """A model at Phường Đông Kinh (05977): the report of Lạng Sơn compares it with Lạng Sơn's other communes, each
    group's 1.1 the weighted ratio svy gives from the group's own rows; the pilot group, one commune, is that
    commune's published cell, interval included (the intervals of a group within strata are those of a domain,
    which svy run on the group's rows alone does not give)."""
    ref.store_uploads(warehouse, "programme_sites", {"sites.csv": [{
        "programme_id": "LS-MOHINH", "programme_name": "Mô hình", "site_kind": "model", "area_level": "commune",
        "area_code": "05977", "code_list_version": "vn-2025-07", "valid_from": date(2025, 7, 1), "valid_to": None,
        "source_document": "demo"}]})
    (comparison,) = gather_report(warehouse, ReportArea("province", "20", "vn-2025-07"), 2026).programme.comparisons
    rate = next(i for i in comparison.indicators if i.indicator_id == "1.1")
    kids = children(warehouse)
    kids = kids[(kids["year"] == 2026) & (kids["province"] == "20")]
    for ours, rows in ((rate.pilot, kids[kids["commune"] == "05977"]), (rate.others, kids[kids["commune"] != "05977"])):
        assert ours.value == pytest.approx(svy_estimate(rows)["est"], rel=1e-9)
        assert ours.denominator == len(rows)
    published = cells(warehouse).loc[("1.1", "vn_law", "2026", "commune", "05977", "vn-2025-07", "total", "all")]
    assert published["design_kind"] == "sample"
    assert (rate.pilot.value, rate.pilot.ci_low, rate.pilot.ci_high, rate.pilot.effective_n) == pytest.approx(
        (published["value"], published["ci_low"], published["ci_high"], published["effective_n"]), rel=1e-12)
    assert rate.others.ci_low < rate.others.value < rate.others.ci_high


def test_a_pilot_commune_whose_cell_is_suppressed_hides_the_comparison(warehouse):
    """A pilot commune whose published 1.1 is suppressed: both groups' 1.1 are suppressed too (the pilot group
    would show the commune's rate, the others the province's less it); an indicator no cell hides stays shown."""
    published = cells(warehouse).xs(("2026", "commune", "vn-2025-07", "total", "all"),
                                    level=["period", "area_level", "code_list_version", "dimension", "dimension_value"])
    hidden = published.loc[("1.1", "vn_law")]
    commune = hidden.index[hidden["suppressed"]][0]
    province = load_admin_units().communes[commune].province_code
    ref.store_uploads(warehouse, "programme_sites", {"sites.csv": [{
        "programme_id": "MOHINH", "programme_name": "Mô hình", "site_kind": "model", "area_level": "commune",
        "area_code": commune, "code_list_version": "vn-2025-07", "valid_from": date(2025, 7, 1), "valid_to": None,
        "source_document": "demo"}]})
    report = gather_report(warehouse, ReportArea("province", province, "vn-2025-07"), 2026)
    (comparison,) = report.programme.comparisons
    compared = {i.indicator_id: i for i in comparison.indicators}
    assert "Mô hình" in render_html(report)  # the section shows, its suppressed cells in words
    for group in (compared["1.1"].pilot, compared["1.1"].others):
        assert (group.status, group.value, group.numerator, group.suppression_reason) == (
            "suppressed", None, None, "complementary")
    assert any(i.pilot.value is not None for i in comparison.indicators)
