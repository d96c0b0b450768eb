"""Reference spreadsheets: validated whole, stored whole or refused, versioned by content; old territories."""

import pandas as pd
import pytest
from sqlalchemy import select

from warehouse import reference_data as ref
from warehouse.admin_units import load_admin_units
from warehouse.db import make_engine, upgrade
from warehouse.indicators import load_settings
from warehouse.models import ReferencePopulation, ReferenceUpload, Target

UNITS, LEGACY = load_admin_units(), ref.load_legacy_units()
INDICATORS = set(load_settings().names)


def test_the_shipped_targets_are_valid_and_cover_the_seeds():
    rows = ref.validate_targets(ref.read_table(ref.SHIPPED_TARGETS, ref.TARGET_COLUMNS), "targets.csv", INDICATORS,
                                UNITS, LEGACY)
    by = {(r["indicator_id"], r["jurisdiction_code"], r["year"]): r for r in rows}
    assert by[("1.1", "VN", 2025)]["value"] == 0.049 and by[("1.1", "01", 2025)]["comparator"] == "<"
    assert by[("1.2", "89", 2025)]["value"] == 0.8  # An Giang, written for the old province
    assert by[("3.1c", "89", 2025)]["value"] == 1.0
    assert by[("1.2", "06442", 2023)]["jurisdiction_level"] == "commune"  # Tân Thành, old commune code
    assert {r["jurisdiction_code"] for r in rows} == {"VN", "01", "89", "33", "06442"}


def test_a_bad_targets_file_lists_every_problem(tmp_path):
    path = tmp_path / "new_plan.csv"
    pd.DataFrame([
        ["9.9", "province", "91", "vn-2025-07", "An Giang", "2030", ">=", "0.8", "KH 1", ""],
        ["1.1", "province", "99", "vn-2025-07", "?", "2030", "<=", "0.04", "KH 1", ""],
        ["2.2", "province", "91", "vn-2025-07", "An Giang", "2030", "≥", "80%", "KH 1", ""],
        ["2.1a", "province", "91", "vn-2025-07", "An Giang", "year", ">=", "1.5", "", ""],
    ], columns=ref.TARGET_COLUMNS).to_csv(path, index=False)
    with pytest.raises(ref.ReferenceDataError) as error:
        ref.validate_targets(ref.read_table(path, ref.TARGET_COLUMNS), path.name, INDICATORS, UNITS, LEGACY)
    message = str(error.value)
    for expected in ["row 2: unknown indicator '9.9'", "row 3: province '99' is not in code list",
                     "row 4: comparator", "row 5: year", "row 5: value", "row 5: source_document"]:
        assert expected in message


def test_percentages_are_read_as_shares(tmp_path):
    path = tmp_path / "plan.csv"
    pd.DataFrame([["2.2", "province", "91", "vn-2025-07", "An Giang", "2030", ">=", "85%", "KH 1", ""]],
                 columns=ref.TARGET_COLUMNS).to_csv(path, index=False)
    (row,) = ref.validate_targets(ref.read_table(path, ref.TARGET_COLUMNS), path.name, INDICATORS, UNITS, LEGACY)
    assert row["value"] == 0.85


def test_missing_columns_and_bad_encoding_are_refused(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("area_level,area_code\nprovince,20\n", encoding="utf-8")
    with pytest.raises(ref.ReferenceDataError, match="missing columns code_list_version, year"):
        ref.read_table(path, ref.POPULATION_COLUMNS)
    path.write_bytes("area_level\nTỉnh".encode("utf-16"))
    with pytest.raises(ref.ReferenceDataError, match="UTF-8"):
        ref.read_table(path, ref.POPULATION_COLUMNS)


def populations_file(tmp_path, value: int, suffix=".xlsx"):
    path = tmp_path / f"populations_2026{suffix}"
    frame = pd.DataFrame([["province", "20", "vn-2025-07", "2026", "teachers_staff", str(value), "Sở GD&ĐT"],
                          ["province", "89", "vn-legacy", "2025", "caregivers", "480000", ""]],
                         columns=ref.POPULATION_COLUMNS)
    frame.to_excel(path, index=False) if suffix == ".xlsx" else frame.to_csv(path, index=False)
    return path


def test_an_uploaded_spreadsheet_is_versioned_and_replaced_whole(warehouse_url, tmp_path):
    engine = make_engine(warehouse_url)
    upgrade(engine)

    def load(path):
        rows = ref.validate_populations(ref.read_table(path, ref.POPULATION_COLUMNS), path.name, UNITS, LEGACY)
        return ref.store_upload(engine, "populations", path, rows)

    first, changed = load(populations_file(tmp_path, 9800))
    assert changed and load(populations_file(tmp_path, 9800)) == (first, False)  # same content: nothing to do
    second, changed = load(populations_file(tmp_path, 9900))
    assert changed and second != first
    with engine.connect() as conn:
        values = conn.execute(select(ReferencePopulation.area_code, ReferencePopulation.value)
                              .order_by(ReferencePopulation.area_code)).all()
        uploads = conn.execute(select(ReferenceUpload.upload_id)).scalars().all()
    assert values == [("20", 9900), ("89", 480000)] and set(uploads) == {first, second}
    engine.dispose()


def test_a_bad_population_row_refuses_the_whole_file(tmp_path):
    path = tmp_path / "p.csv"
    pd.DataFrame([["province", "20", "vn-2025-07", "2026", "teachers", "-3", ""]],
                 columns=ref.POPULATION_COLUMNS).to_csv(path, index=False)
    with pytest.raises(ref.ReferenceDataError, match="population_group must be one of.*value must be a whole number"):
        ref.validate_populations(ref.read_table(path, ref.POPULATION_COLUMNS), path.name, UNITS, LEGACY)


def test_old_territories_are_made_of_new_communes():
    rows = ref.area_communes(UNITS, LEGACY, {("province", "89"), ("province", "33"), ("commune", "06442")})
    old = {}
    for r in rows:
        if r["code_list_version"] == ref.LEGACY:
            old.setdefault(r["area_code"], []).append(r)
    assert {r["commune_code"] for r in old["06442"]} == {"06445"} and not old["06442"][0]["exact"]
    an_giang = {r["commune_code"] for r in old["89"]}
    assert an_giang and all(UNITS.communes[c].province_code == "91" for c in an_giang)  # old An Giang → new An Giang
    assert len([r for r in rows if r["area_level"] == "commune" and r["code_list_version"] != ref.LEGACY]) == 3321
