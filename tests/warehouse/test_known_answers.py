"""Every answer must be a question of its form: the cleaning engine quarantines an unknown (renamed or removed)
question as ``UNKNOWN_FIELD`` for every form, and reads a mapped renamed question under its current name."""

import copy

import pytest
from sqlalchemy import select

from connectors import forms
from connectors.demo import demo_communes
from connectors.demo_programme import activity_rows, inspection_rows
from connectors.demo_reports import case_report_rows
from connectors.forms import HOUSEHOLD_SURVEY, definition
from connectors.odk_central import record_from_odata_row
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.warehouse.test_household_parse import CTX, good, raw
from warehouse.cases import case_cleaning
from warehouse.classify.classification import load_rules
from warehouse.clean import programme_steps
from warehouse.clean.answers import Context
from warehouse.clean.household import parse_household
from warehouse.clean.known_answers import RENAMED, known_answers
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.clean.values import Problem
from warehouse.raw import raw_store
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import Activity, CaseReport, Inspection, Quarantine

COMMUNES = demo_communes(forms.FORMS_DIR / "media" / "communes.csv")
# form: (demo rows, cleaning step, its main table, a question in a group, where it moves when renamed)
FORMS = {
    forms.WORKPLACE_INSPECTION: (lambda: inspection_rows(COMMUNES, 30, 7), programme_steps.clean_inspections,
                                 Inspection, "establishment/total_workers"),
    forms.ACTIVITY_REPORT: (lambda: activity_rows(COMMUNES, 7), programme_steps.clean_activities, Activity,
                            "location/commune"),
    forms.CASE_REPORT: (lambda: case_report_rows(COMMUNES, 300, 7), case_cleaning.clean_case_reports, CaseReport,
                        "location/commune"),
}


def test_system_keys_do_not_hide_unknown_answers():
    form = definition(HOUSEHOLD_SURVEY)

    def unknown(row: dict) -> str | None:
        try:
            known_answers(raw(row), form)
        except Problem as problem:
            assert problem.code == "UNKNOWN_FIELD"
            return problem.field
        return None

    assert unknown(good()) is None and len(parse_household(raw(good()), CTX).children) == 2
    for level, key in [("", "__extra"), ("household", "__extra"), ("child", "x@odata.navigationLink")]:
        row = good()
        node = row[level] if level in ("household",) else row["child"][0] if level == "child" else row
        node[key] = "system"
        assert unknown(row) is None
    for level, key, path in [("", "unknown", "unknown"), ("household", "meta", "household/meta"),
                             ("child", "meta", "child/meta"), ("work", "__extra2", None),
                             ("work", "hours_month", "child/work/hours_month")]:
        row = copy.deepcopy(good())
        node = {"": row, "household": row["household"], "child": row["child"][1],
                "work": row["child"][0]["work"]}[level]
        node[key] = 1
        assert unknown(row) == path


def clean_rows(rows):
    """The demo rows with no deliberate fault (the demo sends a few, e.g. an unknown commune)."""
    communes = {commune for commune, _, _ in COMMUNES}
    return (row for row in rows if row["location"]["commune"] in communes)


def moved(row: dict, path: str, to: str) -> dict:
    """``row`` with the answer at ``path`` (``group/name``) under ``group/to`` instead."""
    row = copy.deepcopy(row)
    group, name = path.split("/")
    row[group][to] = row[group].pop(name)
    return row


@pytest.mark.parametrize("mapped", [False, True], ids=["unmapped", "mapped"])
@pytest.mark.parametrize("form_id", FORMS)
def test_every_form_quarantines_an_unknown_question_and_reads_a_mapped_one(form_id, mapped, warehouse_url,
                                                                          monkeypatch):
    make_rows, step, main, path = FORMS[form_id]
    first, second, third = [row for row, _ in zip(clean_rows(make_rows()), range(3), strict=False)]
    group = path.split("/")[0]
    if mapped:
        monkeypatch.setitem(RENAMED, form_id, {f"{group}/old_name": path})
    rows = [moved(first, path, "old_name"), {**second, "extra_question": "x"}, third]
    engine = make_engine(warehouse_url)
    upgrade(engine)
    raw_store.store_records(engine, [record_from_odata_row(row, "7", form_id) for row in rows])
    ctx = Context.of_form(Pseudonymizer(TEST_PSEUDONYM_KEY), form_id)
    if step is case_cleaning.clean_case_reports:
        step(engine, ctx, load_rules())
    else:
        step(engine, ctx)
    with engine.connect() as conn:
        quarantined = conn.execute(select(Quarantine.instance_id, Quarantine.field, Quarantine.reason_code)).all()
        loaded = conn.execute(select(main.raw_submission_id)).scalars().all()
    engine.dispose()
    unknown = [(second["__id"], "extra_question", "UNKNOWN_FIELD")]
    if not mapped:
        unknown.append((first["__id"], f"{group}/old_name", "UNKNOWN_FIELD"))
    assert sorted(map(tuple, quarantined)) == sorted(unknown)
    assert len(loaded) == 3 - len(unknown)
