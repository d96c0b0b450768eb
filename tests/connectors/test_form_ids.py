"""Each form id is declared once as a literal, in ``connectors/forms.py``; production code names a form by its
constant. The same words with another meaning are listed below, each with what it means there."""

import re
from pathlib import Path

from connectors.forms import FORMS

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ("connectors", "warehouse", "dagster_project")
HOME = Path("connectors/forms.py")
OTHER_MEANINGS = {
    (Path("connectors/demo_programme.py"), "household_survey"): "a case's identification source",
    (Path("warehouse/cases/case_register.py"), "household_survey"): "a case's identification source",
    (Path("warehouse/indicators/indicators.py"), "household_survey"): "an indicator's source",
    (Path("dagster_project/defs/household_survey/assets.py"), "household_survey"): "a Dagster asset group",
    (Path("dagster_project/defs/household_survey/data_quality.py"), "household_survey"): "a Dagster asset group",
    (Path("warehouse/cases/case_report.py"), "case_report"): "a table, an entity and an id's kind",
    (Path("warehouse/schema/models.py"), "case_report"): "a table",
    (Path("warehouse/schema/data_dictionary.py"), "case_report"): "a table",
    (Path("warehouse/cases/case_cleaning.py"), "case_report"): "the entity quarantined",
    (Path("warehouse/schema/roles.py"), "case_report"): "a table",
    (Path("dagster_project/defs/cases/checks.py"), "case_report"): "the entity quarantined",
}


def literals() -> set[tuple[Path, str]]:
    """(file, form id) for each production file holding a form id as a quoted literal (migrations apart)."""
    found = set()
    for package in PRODUCTION:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            found |= {(path.relative_to(ROOT), form) for form in FORMS if re.search(rf"[\"']{form}[\"']", text)}
    return found


def test_each_form_id_is_declared_once():
    text = (ROOT / HOME).read_text(encoding="utf-8")
    assert all(len(re.findall(rf"[\"']{form}[\"']", text)) == 1 for form in FORMS)
    found = literals() - {(HOME, form) for form in FORMS}
    assert found - set(OTHER_MEANINGS) == set()  # a form named by its literal: use connectors.forms
    assert set(OTHER_MEANINGS) - found == set()  # a meaning listed that is no longer there
