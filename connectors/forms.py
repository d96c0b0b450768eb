"""The forms the system collects, each id declared once: every layer names a form by these constants; the folder
of their XLSForms and media, and each form's definition (``connectors.xlsform``)."""

from pathlib import Path

from connectors.xlsform import XlsForm, read_xlsform

FORMS_DIR = Path(__file__).resolve().parents[1] / "forms"

HOUSEHOLD_SURVEY = "household_survey"
WORKPLACE_INSPECTION = "workplace_inspection"
CASE_FOLLOWUP = "case_followup"
ACTIVITY_REPORT = "activity_report"
HOUSEHOLD_BACK_CHECK = "household_back_check"
CASE_REPORT = "case_report"
FORMS = (HOUSEHOLD_SURVEY, WORKPLACE_INSPECTION, CASE_FOLLOWUP, ACTIVITY_REPORT, HOUSEHOLD_BACK_CHECK, CASE_REPORT)


def definition(form_id: str) -> XlsForm:
    """The definition of the form ``form_id`` of :data:`FORMS_DIR`."""
    return read_xlsform(FORMS_DIR / f"{form_id}.xlsx")
