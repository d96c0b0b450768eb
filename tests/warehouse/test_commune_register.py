"""The commune register: a commune's open cases with names, overdue first, in a file its owner alone reads."""

import stat
from dataclasses import replace
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import insert

from warehouse.cases.commune_register import commune_register_rows, write_commune_register, write_commune_register_page
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import Case, RestrictedChildPii

AS_OF = date(2026, 12, 7)


def case(n: int, *, commune="30313", status="open", due=None, state="screened") -> dict:
    return {"case_id": f"{n}0000000-0000-4000-8000-000000000000", "case_code": f"C-{n}AAAA", "subject_kind": "child",
            "subject_id": f"child{n}", "identified_source": "household_survey", "identified_on": date(2026, 11, 2),
            "year": 2026, "quarter": 4, "province_code": commune[:2], "commune_code": commune,
            "code_list_version": "vn-2025-07", "sex": "female", "age_band": "13-14", "case_type": "child_labourer",
            "status": status, "first_support_on": None, "visits": 0, "last_visit_on": None, "closed_on": None,
            "closure_reason": None, "in_education_at_last_visit": None, "child_labour_at_last_visit": None,
            "state": state, "urgent": False, "due_on": due}


def test_overdue_first_with_names_and_a_private_file(warehouse_url, tmp_path):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(insert(Case), [
            case(1, due=date(2026, 12, 20), state="services"),  # not yet due
            case(2, due=date(2026, 12, 1)),  # overdue since 1 December
            case(3, due=date(2026, 11, 9)),  # overdue longer
            case(4, commune="30316", due=date(2026, 11, 9)),  # another commune
            case(5, status="closed", state="closed"),
        ])
        conn.execute(insert(RestrictedChildPii), [
            {"child_id": f"child{n}", "household_id": "h", "child_name": name, "dob": date(2013, 5, n)}
            for n, name in ((1, "Nguyễn Thị An"), (2, "Trần Văn Bình"), (3, "Lê Thị Cúc"), (4, "Phạm Dũng"))])
    rows = commune_register_rows(engine, "30313", as_of=AS_OF)
    assert [(r.case_code, r.name, r.overdue) for r in rows] == [
        ("C-3AAAA", "Lê Thị Cúc", True), ("C-2AAAA", "Trần Văn Bình", True), ("C-1AAAA", "Nguyễn Thị An", False)]
    path = tmp_path / "restricted" / "commune_registers" / "30313.xlsx"
    assert write_commune_register(rows, path) == 3
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    sheet = load_workbook(path).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [(v[0], v[2], v[3], v[7]) for v in values] == [
        ("Có / Yes", "C-3AAAA", "Lê Thị Cúc", "screened"), ("Có / Yes", "C-2AAAA", "Trần Văn Bình", "screened"),
        (None, "C-1AAAA", "Nguyễn Thị An", "services")]
    page = tmp_path / "restricted" / "commune_registers" / "30313.html"
    assert write_commune_register_page([*rows, replace(rows[-1], name="<b>Tú & Tí</b>")], page, "Xã Mỹ Hòa Hưng",
                                       as_of=AS_OF) == 4
    assert stat.S_IMODE(page.stat().st_mode) == 0o600
    text = page.read_text(encoding="utf-8")
    assert "<title>Xã Mỹ Hòa Hưng</title>" in text and "quá hạn / overdue: 2" in text
    body = text[text.index("<tbody>"):]
    assert [body.index(name) for name in ("Lê Thị Cúc", "Trần Văn Bình", "Nguyễn Thị An")] == sorted(
        body.index(name) for name in ("Lê Thị Cúc", "Trần Văn Bình", "Nguyễn Thị An"))  # overdue first
    assert body.count("<tr class='overdue'><td>Có / Yes</td>") == 2
    assert "&lt;b&gt;Tú &amp; Tí&lt;/b&gt;" in body and "<b>Tú" not in body  # a name is text, never markup
    engine.dispose()


def test_the_asset_writes_one_private_workbook_and_page_per_commune(warehouse_url, tmp_path, monkeypatch):
    import dagster as dg

    from dagster_project.defs.cases.commune_registers import commune_registers
    from dagster_project.resources import WarehouseResource
    from tests.conftest import TEST_PSEUDONYM_KEY

    engine = make_engine(warehouse_url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(insert(Case), [case(1, due=date(2026, 12, 1)), case(4, commune="30316", due=date(2099, 1, 1)),
                                    case(5, status="closed", state="closed")])
    engine.dispose()
    monkeypatch.setenv("CLMS_RESTRICTED_DIR", str(tmp_path / "restricted"))  # read when the run starts, not at import
    result = dg.materialize(
        [commune_registers],
        resources={"warehouse": WarehouseResource(url=warehouse_url, pseudonym_key=TEST_PSEUDONYM_KEY)})
    assert result.success
    folder = tmp_path / "restricted" / "commune_registers"
    assert sorted(p.name for p in folder.iterdir()) == ["30313.html", "30313.xlsx", "30316.html", "30316.xlsx"]
    assert "Mỹ Hòa Hưng" in (folder / "30313.html").read_text(encoding="utf-8")  # named, not only coded
    assert {stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()} == {0o600}
    metadata = result.asset_materializations_for_node("commune_registers")[0].metadata
    values = {key: value.value for key, value in metadata.items()}
    assert (values["communes"], values["open_cases"], values["overdue_cases"]) == (2, 2, 1)
