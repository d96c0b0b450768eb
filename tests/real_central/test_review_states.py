"""A review on a real ODK Central reaches the indicators at the next sync (warehouse/reference/review_states.toml).

Four households filled in ODK's xforms-engine: three with two working 12-year-olds, one with a working child and a
16-year-old at school. vn_law 1.1, national, 2026: 7 of 8 children. A data manager rejects the fourth on Central:
after the next run it is out of `household` and the indicators (6 of 6) and listed in `quarantine` as excluded by
its review; approved: 7 of 8 again.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.forms.engine_session import published_form
from tests.forms.xlsform_tools import FORMS_DIR
from tests.real_central.conftest import (
    another,
    fill_household,
    instance_id,
    new_project,
    publish_forms,
    run_monitoring_job,
)
from warehouse.schema.db import make_engine
from warehouse.schema.models import Household, IndicatorValue, Quarantine

pytestmark = pytest.mark.central

HOUSEHOLD = "household_survey"


@pytest.fixture(scope="module")
def project(odk_central):
    project = new_project(odk_central, "Trạng thái duyệt")
    published = publish_forms(project.source(project.manager))
    assert published.success
    project.collector = odk_central.app_user_token(project.id, "Điện thoại 1")
    return project


def seen(url: str) -> dict:
    """National vn_law 1.1 for 2026, the households' review states, the review exclusions in quarantine."""
    engine = make_engine(url)
    with engine.connect() as conn:
        labour = conn.execute(select(IndicatorValue.numerator, IndicatorValue.denominator).where(
            IndicatorValue.indicator_id == "1.1", IndicatorValue.rule_set == "vn_law", IndicatorValue.period == "2026",
            IndicatorValue.area_level == "national", IndicatorValue.dimension == "total")).all()
        states = sorted(conn.execute(select(Household.review_state)).scalars(), key=str)
        excluded = conn.execute(select(Quarantine.instance_id, Quarantine.entity, Quarantine.field, Quarantine.value)
                                .where(Quarantine.reason_code == "REVIEW_EXCLUDED")).all()
    engine.dispose()
    return {"1.1": labour, "households": states, "excluded": excluded}


def test_a_rejected_household_leaves_the_indicators_and_comes_back_when_approved(project, tmp_path):
    (tmp_path / "engine").mkdir()
    with published_form(FORMS_DIR / f"{HOUSEHOLD}.xlsx", tmp_path / "engine") as engine:
        working, mixed = fill_household(engine, "WW"), fill_household(engine, "WS")
    xmls = [another(working) for _ in range(3)] + [another(mixed)]
    project.submit_all([xml.encode() for xml in xmls])
    reviewed = instance_id(xmls[-1])
    (tmp_path / "uploads").mkdir()
    warehouse = f"sqlite:///{tmp_path / 'warehouse.sqlite'}", tmp_path / "uploads"

    def sync_after(state: str | None):
        if state is not None:
            answer = project.server.api("PATCH", f"{project.form_path(HOUSEHOLD)}/submissions/{reviewed}",
                                        json={"reviewState": state})
            assert answer.status_code == 200, answer.text
        run = run_monitoring_job(project.source(project.manager), *warehouse)
        assert (run.failed_steps(), run.failed_checks()) == ([], []), run.failures()
        return run

    sync_after(None)
    assert seen(warehouse[0]) == {"1.1": [(7, 8)], "households": [None] * 4, "excluded": []}

    run = sync_after("rejected")
    assert seen(warehouse[0]) == {"1.1": [(6, 6)], "households": [None] * 3,
                                  "excluded": [(reviewed, "household", "review_state", "rejected")]}
    assert "| odk_central | rejected | excluded | 1 |" in run.metadata(f"raw_{HOUSEHOLD}")["review_states"]

    sync_after("approved")
    assert seen(warehouse[0]) == {"1.1": [(7, 8)], "households": [None, None, None, "approved"], "excluded": []}
