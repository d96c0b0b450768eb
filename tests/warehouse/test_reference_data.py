"""Reference spreadsheets: validated whole, stored whole or refused, versioned by content, the folder the truth;
old territories."""


import pandas as pd
import pytest
from sqlalchemy import select

from warehouse.indicators.indicators import load_settings
from warehouse.reference import reference_data as ref
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import ReferencePopulation, ReferenceUpload, Target

UNITS, LEGACY = load_admin_units(), ref.load_legacy_units()
INDICATORS = set(load_settings().names)


def test_the_shipped_targets_are_valid_and_cover_the_seeds():
    rows = ref.validate_targets(ref.read_table(ref.SHIPPED_TARGETS, ref.TARGET_COLUMNS, ref.TARGET_OPTIONAL),
                                "targets.csv", INDICATORS, UNITS, LEGACY)
    by = {(r["indicator_id"], r["jurisdiction_code"], r["year"]): r for r in rows}
    assert by[("1.1", "VN", 2025)]["value"] == 0.049 and by[("1.1", "01", 2025)]["comparator"] == "<"
    assert by[("1.2", "89", 2025)]["value"] == 0.8  # An Giang, written for the old province
    assert by[("3.1c", "89", 2025)]["value"] == 1.0
    assert by[("1.2", "06442", 2023)]["jurisdiction_level"] == "commune"  # Tân Thành, old commune code
    assert (by[("1.2", "06442", 2023)]["valid_from"], by[("1.2", "06442", 2023)]["valid_to"]) == (2023, 2023)
    assert by[("1.1", "VN", 2025)]["valid_to"] is None  # the programme's targets: carried forward
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


def test_a_targets_validity_is_read_and_checked_whole(tmp_path):
    """valid_from/valid_to: optional columns; each empty or a year, with valid_from ≤ year ≤ valid_to. Row 2
    (2023–2023 for a 2023 target) and row 3 (from 2021, open end) are right; row 4 ends (2022) before its year
    (2023), row 5's valid_from is not a year: both refused, by row, and nothing is loaded."""
    path = tmp_path / "commune_plans.csv"
    base = ["1.2", "commune", "06442", "vn-legacy", "Tân Thành", "2023", ">=", "1", "KH 2023", ""]
    pd.DataFrame([base + ["2023", "2023"], base[:5] + ["2025"] + base[6:] + ["2021", ""],
                  base[:2] + ["06445"] + base[3:] + ["", "2022"], base[:2] + ["06448"] + base[3:] + ["năm 2023", ""]],
                 columns=[*ref.TARGET_COLUMNS, *ref.TARGET_OPTIONAL]).to_csv(path, index=False)
    with pytest.raises(ref.ReferenceDataError) as error:
        ref.validate_targets(ref.read_table(path, ref.TARGET_COLUMNS, ref.TARGET_OPTIONAL), path.name, INDICATORS,
                             UNITS, LEGACY)
    assert [p.split(": ")[1] for p in error.value.problems] == ["row 4", "row 5"]
    assert all("valid_from and valid_to" in p for p in error.value.problems)
    path.write_text("\n".join(path.read_text().splitlines()[:3]) + "\n")
    rows = ref.validate_targets(ref.read_table(path, ref.TARGET_COLUMNS, ref.TARGET_OPTIONAL), path.name,
                                INDICATORS, UNITS, LEGACY)
    assert [(r["year"], r["valid_from"], r["valid_to"]) for r in rows] == [(2023, 2023, 2023), (2025, 2021, None)]


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


def populations_file(tmp_path, value: int, suffix=".xlsx", stem="populations_2026"):
    path = tmp_path / f"{stem}{suffix}"
    frame = pd.DataFrame([["province", "20", "vn-2025-07", "2026", "teachers_staff", str(value), "Sở GD&ĐT"],
                          ["province", "89", "vn-legacy", "2025", "caregivers", "480000", ""]],
                         columns=ref.POPULATION_COLUMNS)
    frame.to_excel(path, index=False) if suffix == ".xlsx" else frame.to_csv(path, index=False)
    return path


def load(engine, *paths):
    """What the populations asset does with the files now in the folder."""
    uploads = {p.name: ref.validate_populations(ref.read_table(p, ref.POPULATION_COLUMNS), p.name, UNITS, LEGACY)
               for p in paths}
    return ref.store_uploads(engine, "populations", uploads)


def stored(engine) -> list[tuple[str, int]]:
    with engine.connect() as conn:
        return conn.execute(select(ReferencePopulation.area_code, ReferencePopulation.value)
                            .order_by(ReferencePopulation.area_code)).all()


@pytest.fixture
def engine(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def test_an_uploaded_spreadsheet_is_versioned_and_replaced_whole(engine, tmp_path):
    path = populations_file(tmp_path, 9800)
    first, changed = load(engine, path)
    assert changed and load(engine, populations_file(tmp_path, 9800)) == (first, False)  # same content: nothing to do
    second, changed = load(engine, populations_file(tmp_path, 9900))
    assert changed and second != first
    with engine.connect() as conn:
        uploads = conn.execute(select(ReferenceUpload.upload_id)).scalars().all()
    assert stored(engine) == [("20", 9900), ("89", 480000)] and set(uploads) == {first[path.name], second[path.name]}


def test_the_folder_is_the_truth(engine, tmp_path):
    wrong = populations_file(tmp_path, 98000)
    load(engine, wrong)
    wrong.unlink()
    assert load(engine) == ({}, True) and stored(engine) == []  # the deleted file's rows are withdrawn
    _, changed = load(engine, populations_file(tmp_path, 9800, stem="dan_so_2026_sua"))  # corrected, a new name
    assert changed and stored(engine) == [("20", 9800), ("89", 480000)]


def test_a_key_in_two_files_is_one_message_naming_both(engine, tmp_path):
    load(engine, populations_file(tmp_path, 9800))
    copy = populations_file(tmp_path, 9900, suffix=".csv", stem="copy")
    with pytest.raises(ref.ReferenceDataError) as error:
        load(engine, populations_file(tmp_path, 9800), copy)
    assert str(error.value) == (
        "nothing was loaded: populations_2026.xlsx and copy.csv both hold 2 row(s) with the same key, e.g. "
        "province 20 vn-2025-07 2026 teachers_staff (populations_2026.xlsx row 2, copy.csv row 2): keep one "
        "of the two files")
    assert stored(engine) == [("20", 9800), ("89", 480000)]  # the last good state


def population_rows(tmp_path, rows: list[tuple[str, str]]):
    """A populations CSV of (year, value) rows for province 20, each its own group."""
    path = tmp_path / "p.csv"
    pd.DataFrame([["province", "20", "vn-2025-07", year, group, value, ""]
                  for (year, value), group in zip(rows, ref.POPULATION_GROUPS, strict=False)],
                 columns=ref.POPULATION_COLUMNS).to_csv(path, index=False)
    return path


def problems(path) -> str:
    with pytest.raises(ref.ReferenceDataError) as error:
        ref.validate_populations(ref.read_table(path, ref.POPULATION_COLUMNS), path.name, UNITS, LEGACY)
    return str(error.value)


def test_thousand_separators_are_refused_with_their_row(tmp_path):
    message = problems(population_rows(tmp_path, [("2026", "210.000"), ("2026", "12.05"), ("2026", "1,250,000"),
                                                  ("2026", "10.0.0"), ("2026", "٣"), ("2026", "99999999999")]))
    assert "row 2: value '210.000' has thousand separators: write it without them (210000)" in message
    assert "row 3: value '12.05' must be a whole number above 0" in message
    assert "row 4: value '1,250,000' has thousand separators" in message
    assert "row 5: value '10.0.0' must be a whole number" in message  # a crash before
    assert "row 6: value '٣' must be a whole number" in message
    assert "row 7: value '99999999999' must be a whole number" in message


def test_population_years_are_checked_as_targets_years_are(tmp_path):
    message = problems(population_rows(tmp_path, [("0", "5"), ("1899", "5"), ("20266", "5"), ("99999", "5"),
                                                  ("²⁰²⁶", "5"), ("9" * 5000, "5")]))
    for number in range(2, 8):
        assert f"row {number}: year must be a year from 2000 to 2100" in message


def test_every_problem_is_listed_never_a_bare_exception(tmp_path):
    path = tmp_path / "p.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ref.ReferenceDataError, match="p.xlsx: not a readable XLSX file"):
        ref.read_table(path, ref.POPULATION_COLUMNS)
    many = population_rows(tmp_path, [("2026", "x")] * 9)
    pd.concat([pd.read_csv(many, dtype=str)] * 40).to_csv(many, index=False)  # 360 rows: 9 groups, each 40 times
    message = problems(many)
    assert message.startswith("p.csv: nothing was loaded: row 2: value 'x' must be a whole number above 0; row 3:")
    assert "; row 11: value 'x' must be a whole number above 0; row 11: repeats row 2 (province 20 vn-2025-07 2026 " \
           "teachers_staff); " in message
    assert message.endswith("; and 511 more problems")  # 360 values and 351 repeated keys, 200 of them shown


def test_a_national_file_of_150_000_rows_validates_whole(tmp_path):
    """How long it takes is a benchmark's business, not a test's: here, every row is kept."""
    communes = sorted(UNITS.communes)
    frame = pd.DataFrame([["commune", code, UNITS.code_list_version, str(year), group, "120", ""]
                          for code in communes for year in range(2020, 2031) for group in ref.POPULATION_GROUPS]
                         [:150_000], columns=ref.POPULATION_COLUMNS)
    path = tmp_path / "national.csv"
    frame.to_csv(path, index=False)
    rows = ref.validate_populations(ref.read_table(path, ref.POPULATION_COLUMNS), path.name, UNITS, LEGACY)
    assert len(rows) == 150_000


def test_a_bad_population_row_refuses_the_whole_file(tmp_path):
    path = tmp_path / "p.csv"
    pd.DataFrame([["province", "20", "vn-2025-07", "2026", "teachers", "-3", ""]],
                 columns=ref.POPULATION_COLUMNS).to_csv(path, index=False)
    with pytest.raises(ref.ReferenceDataError,
                       match="population_group must be one of.*value '-3' must be a whole number"):
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
