"""Case-report submissions (ODK Central OData shape) for the parser, matching and pipeline tests.

Default: a school's written report, received 2026-03-10, of Nguyễn Thị Mai, a girl born 2013-03-02 (13), child
labourer, in Phường Ba Đình (00004, province 01), not urgent, screened the same day: a case opened.
"""

from __future__ import annotations

from tests.pipeline.household_fixture import child, household, work

FORM_VERSION = "2026120701"
BA_DINH, HANOI = "00004", "01"
MAI = "Nguyễn Thị Mai"


def surveyed_mai() -> dict:
    """Mai found by the household survey in Ba Đình on 2026-02-20: 12, working in a shop under 13 (a case)."""
    mai = child(MAI, 12, "female", work("shop_restaurant", 3, 12))
    mai.update(dob_known="yes", dob="2013-03-02", age_stated=None)
    return household(1, BA_DINH, HANOI, "02-20", [mai])


def report(n: int, *, deleted_at: str | None = None, **answers) -> dict:
    """Report number ``n``; ``answers`` override the defaults, a path with ``/`` inside its group
    (``reported_child/dob``, ``screening/screening_outcome``)."""
    values = {
        "report_date": "2026-03-10", "officer": "Lê Thị Hoa", "reporter_type": "school", "report_channel": "written",
        "reporter_name": "Trần Văn Giáo", "reporter_phone": "0912345678",
        "reported_child": {"child_name": MAI, "sex": "female", "dob_known": "yes",
                           "dob": "2013-03-02", "age_stated": None, "age": 13, "guardian_name": "Nguyễn Văn Bình",
                           "guardian_phone": "0987654321"},
        "case_type": "child_labourer",
        "location": {"province": HANOI, "commune": BA_DINH, "village": "Tổ 5"},
        "urgency": "normal", "summary": "Em bán hàng rong đến khuya",
        "screening": {"screening_outcome": "open_case", "identification_date": "2026-03-10", "no_case_reason": None},
    }
    for path, value in answers.items():
        group, _, name = path.rpartition("/")
        (values[group] if group else values)[name] = value
    instance = f"uuid:00000000-0000-4000-8004-{n:012d}"
    return {**values, "meta": {"instanceID": instance, "instanceName": None}, "__id": instance, "__system": {
        "submissionDate": f"2026-11-{n % 20 + 1:02d}T08:00:00.000Z", "updatedAt": None, "submitterId": "5",
        "submitterName": "officer@example.com", "attachmentsPresent": 0, "attachmentsExpected": 0, "status": None,
        "reviewState": None, "deviceId": None, "edits": 0, "formVersion": FORM_VERSION, "deletedAt": deleted_at}}
