"""The forms the system collects, each id declared once: every layer names a form by these constants."""

HOUSEHOLD_SURVEY = "household_survey"
WORKPLACE_INSPECTION = "workplace_inspection"
CASE_FOLLOWUP = "case_followup"
ACTIVITY_REPORT = "activity_report"
HOUSEHOLD_BACK_CHECK = "household_back_check"
CASE_REPORT = "case_report"
FORMS = (HOUSEHOLD_SURVEY, WORKPLACE_INSPECTION, CASE_FOLLOWUP, ACTIVITY_REPORT, HOUSEHOLD_BACK_CHECK, CASE_REPORT)
