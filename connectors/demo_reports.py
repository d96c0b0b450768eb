"""The demo's case reports (``case_report``): children reported by the helpline 111, a school, the police, the
community, a health worker, a family and another commune, screened by the commune officer.

Deterministic for a seed. Among them: a child the household survey found, reported again by a school (the same
name, typed in capitals, date of birth and commune: one case), and a trafficked child reported to the helpline and,
days later, by the police with an age instead of a date of birth (a possible match for a person to decide).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from connectors.demo import DUPLICATE_ROWS, FIRST_DAY, household_row
from connectors.demo_programme import LAST_DAY, _name, _submitted, _uuid, odata_row

FORM_VERSION = "2026120701"
TRAFFICKED = "Hồ Thị Ngọc Ánh"
MIDDLE = {"male": "Văn", "female": "Thị"}  # three-part names: none is a surveyed child's (two parts)
REPORTED_AFTER = timedelta(days=30)  # the school reports the survey-found child this long after the interview


def case_report_rows(communes: list[tuple[str, str, float]], households: int, seed: int) -> Iterator[dict]:
    """The reports, each as ODK Central serves it."""
    rng = random.Random(f"case-reports|{seed}")
    an_giang = next(c for c, p, _ in communes if p == "91")
    found = _survey_found_child(communes, households, seed)
    if found is not None:
        commune, province, child, interview = found
        day = interview + REPORTED_AFTER
        yield _report(rng, day, "school", "written", child["child_name"].upper(), child["sex"], child["dob"], None,
                      "child_labourer", commune, province, "normal", "open_case", day + timedelta(days=2))
    day = FIRST_DAY + timedelta(days=200)
    yield _report(rng, day, "hotline_111", "phone", TRAFFICKED, "female", None, 14, "trafficked", an_giang, "91",
                  "emergency", "open_case", day)
    yield _report(rng, day + timedelta(days=3), "police", "written", TRAFFICKED, "female", None, 14, "trafficked",
                  an_giang, "91", "emergency", "open_case", day + timedelta(days=3))
    for n, (reporter, channel, case_type, outcome) in enumerate([
        ("police", "written", "child_labourer", "open_case"), ("community", "in_person", "at_risk", "no_case"),
        ("health_worker", "phone", "at_risk", "pending"), ("child_family", "in_person", "at_risk", "open_case"),
        ("other_commune", "written", "child_labourer", "open_case"), ("hotline_111", "phone", "at_risk", "open_case"),
    ]):
        commune, province, _ = communes[(n * 5) % len(communes)]
        day = FIRST_DAY + timedelta(days=60 + 45 * n)
        sex = rng.choice(["male", "female"])
        surname, given = _name(rng).split()
        yield _report(rng, day, reporter, channel, f"{surname} {MIDDLE[sex]} {given}", sex, None,
                      rng.randint(9, 16), case_type, commune, province, "normal", outcome,
                      day + timedelta(days=rng.randint(0, 5)))


def _survey_found_child(communes, households: int, seed: int) -> tuple[str, str, dict, date] | None:
    """The first surveyed child under 13 who works (a child labourer: a case), with a date of birth, in a household
    kept as collected (consenting, not edited, reviewed, deleted or spoiled), interviewed early enough for the
    report to fall in the demo's period."""
    for n in range(households):
        if n == DUPLICATE_ROWS[0]:
            continue
        row = household_row(communes, n, seed)
        commune, province, _ = communes[n % len(communes)]
        system = row["__system"]
        if (row["consent"] != "yes" or system["deletedAt"] or system["reviewState"]
                or row["location"]["commune"] != commune or row["interview_date"] > str(LAST_DAY - REPORTED_AFTER)):
            continue
        for child in row.get("child") or []:
            work = child["work"]
            if (child["dob_known"] == "yes" and child["econ_activity"] == "yes" and child["age"] < 13
                    and work["hours_week"] >= work["hours_day"]):
                return commune, province, child, date.fromisoformat(row["interview_date"])
    return None


def _report(rng: random.Random, day: date, reporter: str, channel: str, name: str, sex: str, dob: str | None,
            age: int | None, case_type: str, commune: str, province: str, urgency: str, outcome: str,
            identified: date) -> dict:
    dob_known = dob is not None
    if dob_known:
        born = date.fromisoformat(dob)
        age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    values = {
        "report_date": day.isoformat(), "officer": _name(rng), "reporter_type": reporter, "report_channel": channel,
        "reporter_name": None if reporter == "hotline_111" else _name(rng),
        "reporter_phone": f"09{rng.randrange(10**8):08d}" if channel == "phone" else None,
        "reported_child": {"child_name": name, "sex": sex, "dob_known": "yes" if dob_known else "no", "dob": dob,
                           "age_stated": None if dob_known else age, "age": age,
                           "guardian_name": _name(rng), "guardian_phone": None},
        "case_type": case_type,
        "location": {"province": province, "commune": commune, "village": None},
        "urgency": urgency, "summary": None,
        "screening": {"screening_outcome": outcome,
                      "identification_date": identified.isoformat() if outcome == "open_case" else None,
                      "no_case_reason": "not_child_labour" if outcome == "no_case" else None},
    }
    return odata_row(values, _uuid(rng), _submitted(rng, max(day, identified)), version=FORM_VERSION)
