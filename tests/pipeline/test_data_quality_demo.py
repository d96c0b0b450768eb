"""The demo's planted faults are each found by the data-quality checks, and nothing else is flagged: the demo
generator runs through the real source, cleaning step and data-quality asset with ``dagster.materialize``."""

import dagster as dg
from openpyxl import load_workbook
from sqlalchemy import select

from connectors.demo import (
    BACK_CHECK_DISAGREES,
    DUPLICATE_ROWS,
    FAST_ENUMERATOR,
    OUTLIER_ROW,
    TOO_FAST_ROWS,
    back_check_rows,
    demo_communes,
    household_row,
)
from connectors.forms import FORMS_DIR
from dagster_project.defs.household_survey import assets
from dagster_project.defs.household_survey.data_quality import household_data_quality, raw_household_back_check
from dagster_project.resources import WarehouseResource
from dagster_project.sources import DemoSource
from tests.conftest import TEST_PSEUDONYM_KEY
from warehouse.clean.answers import staff_id
from warehouse.clean.household import FORM_ID, household_id_of
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.schema.db import make_engine
from warehouse.schema.models import DataQualityFlag, Household, RawSubmission, RestrictedEnumerator

SEED, HOUSEHOLDS = 2026, 1500


def materialize(url: str, folder) -> None:
    result = dg.materialize(
        [assets.raw_household_survey, assets.household_tables, raw_household_back_check, household_data_quality],
        resources={"warehouse": WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY),
                   "household_survey_source": DemoSource(households=HOUSEHOLDS, seed=SEED),
                   "household_back_check_source": DemoSource(households=HOUSEHOLDS, seed=SEED)},
        run_config={"ops": {"household_data_quality": {"config": {"output_folder": str(folder)}}}},
    )
    assert result.success


def test_each_planted_fault_is_found_and_nothing_else(warehouse_url, tmp_path):
    pseudonymizer = Pseudonymizer(TEST_PSEUDONYM_KEY)
    communes = demo_communes(FORMS_DIR / "media" / "communes.csv")
    household = {n: household_id_of(pseudonymizer, FORM_ID, household_row(communes, n, SEED)["__id"])
                 for n in (*TOO_FAST_ROWS, *DUPLICATE_ROWS, OUTLIER_ROW, BACK_CHECK_DISAGREES)}
    fast = staff_id(pseudonymizer, "enumerator", FAST_ENUMERATOR)
    second, first = sorted(household[n] for n in DUPLICATE_ROWS)[::-1]  # same day: the later id is flagged

    materialize(warehouse_url, tmp_path)
    engine = make_engine(warehouse_url)
    f = DataQualityFlag
    with engine.connect() as conn:
        flags = set(conn.execute(select(f.check, f.household_id, f.enumerator_id, f.other_household_id)))
        values = dict(conn.execute(select(f.subject_id, f.value)).all())
        names = dict(conn.execute(select(RestrictedEnumerator.enumerator_id, RestrictedEnumerator.enumerator)).all())
        live = conn.execute(select(RawSubmission.id).where(RawSubmission.deleted_at.is_(None))).all()
        households = conn.execute(select(Household.household_id)).all()

    assert flags == {
        *{("too_short", household[n], fast, None) for n in TOO_FAST_ROWS},
        ("duplicate_household", second, staff_id_of(engine, second), first),
        ("hh_size", household[OUTLIER_ROW], staff_id_of(engine, household[OUTLIER_ROW]), None),
        ("back_check", household[BACK_CHECK_DISAGREES], staff_id_of(engine, household[BACK_CHECK_DISAGREES]), None),
    }
    assert [values[household[n]] for n in TOO_FAST_ROWS] == [4.0, 5.0, 6.0]
    assert 0 < values[second] <= 25 and values[household[OUTLIER_ROW]] == 24
    assert values[household[BACK_CHECK_DISAGREES]] == 1  # the household size, of the back-checks below
    assert len(list(back_check_rows(communes, HOUSEHOLDS, SEED))) > 50
    assert names[fast] == FAST_ENUMERATOR and len(names) == 37  # 12 communes' teams of 3, and the fast one
    assert len(households) > 1300 and len(live) >= len(households)

    workbook = load_workbook(tmp_path / "data-quality" / "chat-luong-du-lieu-vi.xlsx", read_only=True)
    assert workbook.sheetnames == ["Theo ngày", "Theo điều tra viên", "Các cờ cần xem"]
    rows = list(workbook["Các cờ cần xem"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["Phỏng vấn quá ngắn"] * 3 + [
        "Hộ có thể bị phỏng vấn hai lần (cùng vị trí, cùng danh sách trẻ)", "Số nhân khẩu bất thường",
        "Phúc tra không khớp với phỏng vấn gốc"]
    assert FAST_ENUMERATOR not in str(list(workbook["Theo điều tra viên"].values))

    materialize(warehouse_url, tmp_path)  # a re-run writes the same flags
    with engine.connect() as conn:
        assert set(conn.execute(select(f.check, f.household_id, f.enumerator_id, f.other_household_id))) == flags
    engine.dispose()


def staff_id_of(engine, household_id: str) -> str:
    with engine.connect() as conn:
        return conn.execute(select(Household.enumerator_id).where(Household.household_id == household_id)).scalar()
