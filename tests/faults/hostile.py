"""The hostile corpus of the raw identity and storage classes (tests/faults/README.md): submissions a partner, a
platform or an attacker may send that once stopped a batch, doubled a household or differed between backends.

Each case is an ODK Central OData row (the canonical payload every route converts to) or an export file, built from
the demo-like household of :func:`tests.faults.test_bad_submissions.base`, so every name, phone and GPS point in
it is known (:data:`PII`) and can be looked for where it must not be.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from connectors.exports import read_odk_csv_zip
from connectors.form_schema import FormSchema
from connectors.odk_central import record_from_odata_row
from connectors.records import SubmissionRecord
from connectors.xlsform import read_xlsform
from tests.connectors.export_fixtures import CentralSubmission, odk_csv_zip
from tests.connectors.household_routes import form_values
from tests.faults.test_bad_submissions import base, edit
from tests.pipeline.household_fixture import COMMUNE_B, PROVINCE_B
from tests.pipeline.programme_fixture import inspection_rows
from tests.pipeline.test_household_pipeline import FORM
from warehouse.clean.household import FORM_ID

NAME, PHONE, VILLAGE = "Phạm Thị Riêng Tư", "0987654321", "Xóm Bí Mật"
LAT, LON = 21.0123456, 105.8765432


def household(n: int) -> dict:
    """A good household whose name, phone, village and GPS are the corpus's own (:data:`PII`)."""
    row = edit(edit(edit(base(n), "household/respondent_name", f"{NAME} {n}"), "household/respondent_phone", PHONE),
               "location/village", f"{VILLAGE} {n}")
    return edit(row, "location/gps", {"type": "Point", "coordinates": [LON + n / 1e6, LAT, 10],
                                      "properties": {"accuracy": 5}})


def pii(count: int) -> list[str]:
    """What must never reach a log or an event: the corpus's names, phones and coordinates."""
    return [NAME, PHONE, VILLAGE, f"{LAT}", *(f"{LON + n / 1e6}" for n in range(1, count + 1))]


# Values a backend cannot store as they are: name → (row builder, expected: "clean" or (entity, field, reason code))
UNSTORABLE: dict[str, tuple[Callable[[int], dict], object]] = {
    "NUL in a name": (lambda n: edit(household(n), "household/respondent_name", f"{NAME}\x00"),
                      ("household", "restricted_household_pii.respondent_name", "UNSTORABLE_VALUE")),
    "NUL in a choice": (lambda n: edit(household(n), "household/livelihood", "crop_farming\x00"),
                        ("household", "household/livelihood", "INVALID_CHOICE")),
    "NUL in an answer clean ignores": (lambda n: edit(household(n), "meta/instanceName", "Thôn\x00 1"), "clean"),
    "NaN as GPS accuracy": (lambda n: edit(household(n), "location/gps/properties/accuracy", float("nan")),
                            ("household", "restricted_household_pii.gps_accuracy", "UNSTORABLE_VALUE")),
    "Infinity as a household size": (lambda n: edit(household(n), "household/hh_size", float("inf")),
                                     ("household", "household/hh_size", "WRONG_TYPE")),
    "-Infinity as hours": (lambda n: edit(household(n), "child/0/work/hours_week", float("-inf")),
                           ("child", "child/work/hours_week", "WRONG_TYPE")),
    "lone surrogate in a village": (lambda n: edit(household(n), "location/village", "Thôn \ud800"),
                                    ("household", "restricted_household_pii.village", "UNSTORABLE_VALUE")),
    "lone surrogate in a child's name": (lambda n: edit(household(n), "child/1/child_name", "\udfffLan"),
                                         ("household", "restricted_child_pii.child_name", "UNSTORABLE_VALUE")),
    "lone surrogate in a key": (lambda n: edit(household(n), "household/\ud800", "x"),
                                ("household", "household/$unstorable", "UNKNOWN_FIELD")),  # the group, escaped
}

# Values of the wrong shape where a name, village or GPS point belongs
WRONG_SHAPES: dict[str, tuple[Callable[[int], dict], object]] = {
    "a name that is an object": (lambda n: edit(household(n), "household/respondent_name", {"first": NAME}),
                                 ("household", "restricted_household_pii.respondent_name", "UNSTORABLE_VALUE")),
    "a village that is a list": (lambda n: edit(household(n), "location/village", [VILLAGE, "Thôn 2"]),
                                 ("household", "restricted_household_pii.village", "UNSTORABLE_VALUE")),
    "GPS coordinates as text": (lambda n: edit(household(n), "location/gps/coordinates", [f"{LON}", "north", 10]),
                                ("household", "restricted_household_pii.gps_lat", "UNSTORABLE_VALUE")),
    "GPS as unreadable text": (lambda n: edit(household(n), "location/gps", "21.0 north"),
                               ("household", "location/gps", "WRONG_TYPE")),
    "GPS as a list": (lambda n: edit(household(n), "location/gps", [LON, LAT, 10, 5]),
                      ("household", "location/gps", "WRONG_TYPE")),
    "GPS accuracy as an object": (lambda n: edit(household(n), "location/gps/properties/accuracy", {"m": 5}),
                                  ("household", "restricted_household_pii.gps_accuracy", "UNSTORABLE_VALUE")),
    "an enumerator that is a number": (lambda n: edit(household(n), "enumerator", 12345),
                                       ("household", "restricted_household_pii.enumerator", "UNSTORABLE_VALUE")),
    "a phone that is a list": (lambda n: edit(household(n), "household/respondent_phone", [PHONE]),
                               ("household", "household/respondent_phone", "INVALID_PHONE")),
    "a child's name that is an object": (lambda n: edit(household(n), "child/0/child_name", {"name": NAME}),
                                         ("household", "restricted_child_pii.child_name", "UNSTORABLE_VALUE")),
}

CASES = {**UNSTORABLE, **WRONG_SHAPES}


def inspections() -> dict[str, tuple[dict, object]]:
    """Inspections (a programme form) with values of the wrong shape or no backend holds: name → (row, expected)."""
    first, second, third, _, fifth = inspection_rows()[:5]
    return {
        "an establishment name that is an object": (
            edit(first, "establishment/establishment_name", {"name": NAME}),
            ("inspection", "restricted_inspection_pii.establishment_name", "UNSTORABLE_VALUE")),
        "an inspector that is a list": (edit(second, "inspector", [NAME]),
                                        ("inspection", "restricted_inspection_pii.inspector", "UNSTORABLE_VALUE")),
        "a worker's name with a NUL": (edit(third, "young_worker/0/worker_name", f"{NAME}\x00"),
                                       ("inspection", "restricted_young_worker_pii.worker_name", "UNSTORABLE_VALUE")),
        "good": (fifth, "clean"),
    }


def rows() -> dict[str, dict]:
    """Every value case, numbered from 1, plus a good household after them (a batch holds them all)."""
    built = {name: build(n) for n, (name, (build, _)) in enumerate(CASES.items(), start=1)}
    return {**built, "good": household(len(built) + 1)}


def records(odata_rows: list[dict], project: str = "7") -> list[SubmissionRecord]:
    return [record_from_odata_row(copy.deepcopy(row), project, FORM_ID) for row in odata_rows]


def export(schema: FormSchema, odata_rows: list[dict]) -> bytes:
    """ODK Central's ``submissions.csv.zip`` of ``odata_rows`` (their ``__id`` is each submission's KEY)."""
    return odk_csv_zip(schema, [CentralSubmission(r["__id"], form_values(r), form_version=schema.version,
                                                  submission_date=r["__system"]["submissionDate"])
                                for r in odata_rows])


def schema() -> FormSchema:
    return read_xlsform(FORM).schema


def identity_submissions() -> dict[int, dict]:
    """Households of a second commune (a warehouse of one commune is not what the corpus is about)."""
    return {n: edit(edit(household(n), "location/commune", COMMUNE_B), "location/province", PROVINCE_B)
            for n in (21, 22, 23, 24)}


def identity_files(form: FormSchema) -> dict[str, bytes]:
    """A June export, the same re-sent under a new name, and a cumulative July export holding an edit (in the
    order a run reads them: by name)."""
    h = identity_submissions()
    june = export(form, [h[21], h[22], h[23]])
    return {"2026-06 (1).csv.zip": june, "2026-06.csv.zip": june,
            "2026-07.csv.zip": export(form, [h[21], h[22], edit(h[23], "household/hh_size", 9), h[24]])}


def identity_steps(form: FormSchema) -> list[tuple[str, list[SubmissionRecord]]]:
    """One set of submissions brought again and again: by two projects, the export files of
    :func:`identity_files`, then an edit on Central. Each step's records, in order."""
    h = identity_submissions()
    edited_on_central = edit(edit(h[21], "household/hh_size", 8), "__system/updatedAt", "2026-11-25T08:00:00.000Z")
    files = [(f"the export {name}", list(read_odk_csv_zip(content, form, name=name)))
             for name, content in identity_files(form).items()]
    return [("a Central sync", records([h[21], h[22]])),
            ("the same submissions from a second project", records([h[21], h[22]], project="8")),
            *files,
            ("an edit on Central", records([edited_on_central]))]


# what the identity steps leave: instance number → (source, project, household size)
IDENTITY_OUTCOME = {21: ("odk_central", "7", 8), 22: ("odk_central", "7", 4),
                    23: ("file:odk_csv_zip", "2026-07.csv.zip", 9), 24: ("file:odk_csv_zip", "2026-07.csv.zip", 4)}
