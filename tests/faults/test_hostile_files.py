"""Hostile files (issue 19, items 6-8): export files built to exhaust memory, reference uploads that must be
corrected, published files turned against their readers. Every case failed before its fix.

Export files go through the Dagster raw asset with :class:`FileImportSource` (a refused file is recorded, skipped on
later runs and blocks nothing), or through the readers when what is claimed is how little a refusal costs.
Reference uploads go through the Dagster assets on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import json
import re
import tracemalloc
import zipfile

import dagster as dg
import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from connectors import sources
from connectors.errors import SourceError
from connectors.exports import (
    ImportLimits,
    read_kobo_json,
    read_kobo_xlsx,
    read_odk_csv_zip,
)
from connectors.exports import kobo_xlsx as kobo_xlsx_module
from connectors.xlsform import read_xlsform
from dagster_project.defs.household_survey import assets
from dagster_project.defs.reference import assets as reference_assets
from dagster_project.resources import ReferenceFiles, WarehouseResource
from dagster_project.sources import FileImportSource
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.connectors.export_fixtures import CentralSubmission, kobo_xlsx, odk_csv_zip
from tests.connectors.fake_kobotoolbox import FakeKoboToolbox
from tests.connectors.household_routes import form_values
from tests.connectors.kobo_fixtures import HOUSEHOLD_XLSX, household
from tests.pipeline.household_fixture import fixture_rows
from tests.pipeline.test_household_pipeline import FORM
from warehouse.cases.case_list import CaseListRow, write_cases_csv
from warehouse.reference import reference_data as ref
from warehouse.schema.models import RawSubmission, ReferencePopulation

SCHEMA = read_xlsform(FORM).schema
LIVE = [row for row in fixture_rows() if not row["__system"]["deletedAt"]]  # 8 submissions
ROOT = f"{SCHEMA.form_id}.csv"


def odk_export() -> bytes:
    return odk_csv_zip(SCHEMA, [CentralSubmission(r["__id"], form_values(r), form_version=SCHEMA.version)
                                for r in LIVE])


def bomb(megabytes: int = 20) -> bytes:
    """A real export whose root table then runs on for ``megabytes`` of blank lines: ~1,000 to 1 compressed."""
    with zipfile.ZipFile(io.BytesIO(odk_export())) as real:
        tables = {n: real.read(n) for n in real.namelist()}
    tables[ROOT] += b"\r\n" * (megabytes * 500_000)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in tables.items():
            archive.writestr(name, data)
    return out.getvalue()


def peak_mb(read) -> float:
    """The most memory Python held while ``read()`` ran (its refusal included)."""
    tracemalloc.start()
    try:
        read()
    except SourceError:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / 1e6


# ---------------------------------------------------------------- limits on export files


def test_a_zip_bomb_is_refused_by_its_ratio_before_it_is_inflated():
    data = bomb()
    assert len(data) < 100_000
    with pytest.raises(SourceError, match=rf"`{ROOT}` is compressed [\d,]+ to 1, more than the 100 to 1"):
        read_odk_csv_zip(data, SCHEMA, name="a.zip")
    assert peak_mb(lambda: read_odk_csv_zip(data, SCHEMA, name="a.zip")) < 5  # the 20 MB never inflated


def test_a_table_beyond_the_size_limit_is_refused():
    with pytest.raises(SourceError, match=rf"`{ROOT}` holds 20.0 MB, more than the 10 MB a table may: split"):
        read_odk_csv_zip(bomb(), SCHEMA, name="a.zip", limits=ImportLimits(max_table_mb=10,
                                                                           max_compression_ratio=10_000))
    document = json.dumps([{"_id": 1, "pad": "x" * 2_000_000}]).encode()
    with pytest.raises(SourceError, match="`k.json` holds 2.0 MB, more than the 1 MB"):
        read_kobo_json(document, SCHEMA, name="k.json", limits=ImportLimits(max_table_mb=1))


@pytest.fixture(scope="module")
def kobo_export() -> bytes:
    with FakeKoboToolbox() as kobo:
        asset = kobo.create_asset(HOUSEHOLD_XLSX.read_bytes())
        for n in range(1, 4):
            kobo.add_submission(asset, household(n, children=2), instance_id=f"uuid:k-{n:04d}")
        return kobo_xlsx(kobo.asset(asset).content, kobo.documents(asset))


def test_tables_beyond_the_row_limit_are_refused(kobo_export):
    few = ImportLimits(max_rows=5)
    with pytest.raises(SourceError, match=rf"`{ROOT}` has more than 5 rows, the most a table may"):
        read_odk_csv_zip(odk_export(), SCHEMA, name="a.zip", limits=few)
    with pytest.raises(SourceError, match=r"`\w+` has more than 5 rows"):
        read_kobo_xlsx(kobo_export, SCHEMA, name="k.xlsx", limits=few)
    with pytest.raises(SourceError, match="`k.json` has more than 5 rows"):
        read_kobo_json(json.dumps([{}] * 6).encode(), SCHEMA, name="k.json", limits=few)
    assert len(read_odk_csv_zip(odk_export(), SCHEMA, name="a.zip", limits=ImportLimits(max_rows=18))) == 8  # 18 children


def test_a_workbook_declaring_huge_sheets_is_read_as_wide_as_its_headers(kobo_export):
    """Every sheet claims A1:XFD5: read as declared, each row would be 16,384 cells (128 kB) wide."""
    with zipfile.ZipFile(io.BytesIO(kobo_export)) as real:
        parts = {n: real.read(n) for n in real.namelist()}
    for name in parts:
        if name.startswith("xl/worksheets/"):
            parts[name] = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD5"', parts[name])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    workbook = load_workbook(io.BytesIO(out.getvalue()), read_only=True)
    for sheet in workbook.worksheets:
        rows = kobo_xlsx_module._filled_rows(sheet, ImportLimits(), "k.xlsx")
        assert {len(row) for row in rows} == {len(rows[0])} and len(rows[0]) < 100
    workbook.close()
    schema = read_xlsform(HOUSEHOLD_XLSX).schema
    assert [r.payload for r in read_kobo_xlsx(out.getvalue(), schema, name="k.xlsx")] == [
        r.payload for r in read_kobo_xlsx(kobo_export, schema, name="k.xlsx")]


ASSETS = [assets.raw_household_survey]


def raw_run(url: str, source: FileImportSource) -> dict:
    result = dg.materialize(ASSETS, resources={
        "warehouse": WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY), "household_survey_source": source})
    assert result.success
    metadata = result.asset_materializations_for_node("raw_household_survey")[0].metadata
    return {"cursor": metadata["cursor"].value, **{k: v.value for k, v in metadata.items() if k.startswith("sync/")}}


def test_a_refused_file_is_recorded_and_blocks_nothing(warehouse_url, tmp_path, monkeypatch):
    folder = tmp_path / "imports" / SCHEMA.form_id
    folder.mkdir(parents=True)
    (folder / "a-bomb.zip").write_bytes(bomb())  # sorted before the good file
    (folder / "not-a-zip.zip").write_bytes(b"PK\x03\x04 not a zip")
    (folder / f"{SCHEMA.form_id}.csv.zip").write_bytes(odk_export())
    imports = FileImportSource(folder=str(tmp_path / "imports"))

    first = raw_run(warehouse_url, imports)
    assert first["sync/inserted"] == 8  # the files after the refused ones were loaded
    refused = first["cursor"]["refused"]
    assert sorted(r["file"] for r in refused.values()) == ["a-bomb.zip", "not-a-zip.zip"]
    bomb_digest = next(d for d, r in refused.items() if r["file"] == "a-bomb.zip")
    assert refused[bomb_digest]["code"] == "compression"
    assert {k: v for k, v in refused[bomb_digest]["params"].items() if k != "ratio"} == {
        "member": "household_survey.csv", "limit": 100}
    assert re.fullmatch(r"[\d,]+", refused[bomb_digest]["params"]["ratio"])

    opened = []
    monkeypatch.setattr(sources, "import_export", lambda path, *a, **k: opened.append(path.name) or [])
    second = raw_run(warehouse_url, imports)
    assert opened == [] and second["sync/received"] == 0  # neither tried again on the next run
    assert second["cursor"]["refused"] == refused
    raw_run(warehouse_url, FileImportSource(folder=str(tmp_path / "imports"), max_compression_ratio=5_000))
    assert opened == ["a-bomb.zip", "not-a-zip.zip"]  # new limits: the refused files are tried again
    monkeypatch.undo()
    engine = WarehouseResource(url=warehouse_url, pseudonym_key=TEST_PSEUDONYM_KEY).engine()
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(RawSubmission)).scalar_one() == 8
    engine.dispose()


# ---------------------------------------------------------------- reference uploads: the folder is the truth


def populations(folder, name: str, rows: list[tuple[str, str]]) -> None:
    """A populations file of (province, value) rows for 2026, teachers and staff."""
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame([["province", code, "vn-2025-07", "2026", "teachers_staff", value, "Sở GD&ĐT"]
                  for code, value in rows], columns=ref.POPULATION_COLUMNS).to_csv(folder / name, index=False)


def reference_run(url: str, uploads) -> dg.ExecuteInProcessResult:
    return dg.materialize([reference_assets.reference_populations], raise_on_error=False, resources={
        "warehouse": WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY),
        "reference_files": ReferenceFiles(folder=str(uploads))})


def stored_populations(url: str) -> list[tuple]:
    engine = WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY).engine()
    with engine.connect() as conn:
        rows = conn.execute(select(ReferencePopulation.area_code, ReferencePopulation.value)
                            .order_by(ReferencePopulation.area_code)).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def failure(result: dg.ExecuteInProcessResult) -> str:
    """The message of the error that failed the step (what the Dagster UI shows under "caused by")."""
    (event,) = [e for e in result.all_events if e.is_step_failure]
    error = event.step_failure_data.error
    return error.cause.message if error.cause else error.message


def test_a_reference_upload_can_be_withdrawn_corrected_and_is_never_misread(warehouse_url, tmp_path):
    folder = tmp_path / "populations"
    populations(folder, "dan_so_2026.csv", [("20", "9800"), ("91", "480000")])
    assert reference_run(warehouse_url, tmp_path).success
    (folder / "dan_so_2026.csv").unlink()
    populations(folder, "dan_so_2026_sua.csv", [("20", "9900")])  # corrected, under a new name
    assert reference_run(warehouse_url, tmp_path).success
    assert stored_populations(warehouse_url) == [("20", 9900)]  # the deleted file's rows withdrawn

    populations(folder, "ban_sao.csv", [("20", "9950")])
    result = reference_run(warehouse_url, tmp_path)
    assert not result.success and "IntegrityError" not in failure(result)
    assert "ban_sao.csv and dan_so_2026_sua.csv both hold 1 row(s) with the same key" in failure(result)
    (folder / "ban_sao.csv").unlink()

    populations(folder, "dan_so_2027.csv", [("91", "210.000"), ("33", "10.0.0")])
    result = reference_run(warehouse_url, tmp_path)
    assert not result.success
    assert "row 2: value '210.000' has thousand separators: write it without them (210000)" in failure(result)
    assert "row 3: value '10.0.0' must be a whole number above 0" in failure(result)
    assert stored_populations(warehouse_url) == [("20", 9900)]  # refused whole: the last good state stays


# ---------------------------------------------------------------- safe outputs


def test_a_case_list_that_fails_mid_write_leaves_the_last_good_file(tmp_path):
    def case(n: int) -> CaseListRow:
        return CaseListRow(f"00000000-0000-4000-8000-{n:012d}", f"C-{n}", f"C-{n}", "05977", "13-14", "child_labour",
                           "open", "2026-12-01", "", "", "screened", "no")

    path = tmp_path / "case_list" / "cases.csv"
    assert write_cases_csv([case(1), case(2)], path) == 2
    good = path.read_bytes()

    def failing():
        yield case(3)
        raise RuntimeError("the warehouse went away")

    with pytest.raises(RuntimeError):
        write_cases_csv(failing(), path)
    assert path.read_bytes() == good and [p.name for p in path.parent.iterdir()] == ["cases.csv"]
