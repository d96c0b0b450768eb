"""The form schema (types, paths, repeats) and the canonical payload, checked against real Central output."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from connectors.form_schema import Answers, FormSchema, canonical_payload, odata_name, typed_value
from connectors.forms import FORMS_DIR, definition
from connectors.odk_central import OdkCentralClient
from connectors.xlsform import read_xlsform
from tests.connectors.conftest import FAST
from tests.connectors.fake_kobotoolbox import form_title, kpi_content
from tests.connectors.fake_odk_central import DEFAULT_PASSWORD, FakeOdkCentral
from tests.connectors.kobo_fixtures import HOUSEHOLD_XLSX, household_schema  # noqa: F401 - fixture

SHARED = Path(os.environ.get("CLMS_SHARED", Path(__file__).resolve().parents[3] / "shared"))
CENTRAL = SHARED / "fixtures" / "odk-central"


def test_household_survey_fields(household_schema: FormSchema) -> None:
    schema = household_schema
    versions = json.loads((HOUSEHOLD_XLSX.parent / "versions.json").read_text(encoding="utf-8"))
    assert (schema.form_id, schema.version) == ("household_survey", versions["household_survey.xlsx"]["version"])
    kinds = {f.path: (f.type, f.kind, f.repeat) for f in schema.fields}
    assert kinds["interview_date"] == ("date", "input", None)
    assert kinds["location"] == ("group", "group", None)
    assert kinds["location/province"] == ("string", "select_one", None)
    assert kinds["location/gps"] == ("geopoint", "input", None)
    assert kinds["household/hh_size"] == ("int", "input", None)
    assert kinds["child"] == ("repeat", "repeat", None)
    assert kinds["child/age"] == ("string", "calculate", "child")  # a calculate without bind::type is text
    assert kinds["child/work/work_kind"] == ("string", "select_multiple", "child")
    assert kinds["child/work/hours_day"] == ("decimal", "input", "child")
    assert kinds["consent_statement"] == ("string", "note", None)
    assert kinds["start"] == ("dateTime", "metadata", None)
    assert kinds["meta/instanceID"] == ("string", "metadata", None)
    assert kinds["meta/instanceName"] == ("string", "calculate", None)
    assert [f.path for f in schema.repeats] == ["child"]
    assert [f.name for f in schema.table_fields("child")][:3] == ["child_name", "sex", "dob_known"]


@pytest.mark.parametrize("form", ["household_survey", "workplace_inspection", "activity_report"])
def test_a_kobo_asset_content_gives_the_same_schema_as_its_xlsform(form: str) -> None:
    """kpi keeps the form's title as the asset's name, not in its content: the connector puts it back."""
    xlsx = (FORMS_DIR / f"{form}.xlsx").read_bytes()
    content = kpi_content(xlsx)
    content["settings"]["form_title"] = form_title(xlsx)
    assert FormSchema.from_kobo_content(content) == definition(form).schema


def test_kobo_content_leaves_out_the_version_kpi_adds() -> None:
    content = kpi_content(HOUSEHOLD_XLSX.read_bytes())
    content["survey"].append({"type": "calculate", "name": "__version__", "calculation": "'vAbc'", "$kuid": "x"})
    assert FormSchema.from_kobo_content(content).get("__version__") is None


def test_unreadable_forms_are_refused(tmp_path) -> None:
    workbook = tmp_path / "broken.xlsx"
    workbook.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ValueError, match="not an XLSForm workbook"):
        read_xlsform(workbook)
    with pytest.raises(ValueError, match="not a valid form"):
        FormSchema.from_kobo_content({"survey": [{"type": "kobomatrix", "name": "m"}], "settings": {}})


def _answers(schema: FormSchema, element: ET.Element, path: str = "") -> Answers:
    """A submission XML as raw answers (a test-side reader, independent of the connectors)."""
    answers = Answers()

    def walk(node: ET.Element, prefix: str) -> None:
        for child in node:
            child_path = f"{prefix}/{child.tag}" if prefix else child.tag
            target = schema.get(child_path)
            if target is None:
                continue
            if target.type == "repeat":
                answers.repeats.setdefault(child_path, []).append(_answers(schema, child, child_path))
            elif target.type == "group":
                walk(child, child_path)
            elif child.text:
                answers.values[child_path] = child.text

    walk(element, path)
    return answers


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_payload_is_byte_for_byte_what_central_served(number: int) -> None:
    """Recorded from a real ODK Central: the same XML gives the same row, key order included."""
    schema = FormSchema.from_xform((CENTRAL / "household_mini.xml").read_bytes())
    recorded = json.loads((CENTRAL / "odata_submissions_expand_before_changes.json").read_text())["value"]
    answers = _answers(schema, ET.fromstring((CENTRAL / f"submission_{number}.xml").read_bytes()))
    instance_id = answers.values["meta/instanceID"]
    row = next(r for r in recorded if r["__id"] == instance_id)
    payload = canonical_payload(schema, answers, instance_id, row["__system"])
    assert json.dumps(payload, ensure_ascii=False) == json.dumps(row, ensure_ascii=False)


NESTED = {
    "survey": [
        {"type": "integer", "name": "n", "label": "n"},
        {"type": "begin_group", "name": "visit", "label": "visit"},
        {"type": "geopoint", "name": "where", "label": "where"},
        {"type": "begin_repeat", "name": "member", "label": "member"},
        {"type": "text", "name": "member_name", "label": "name"},
        {"type": "decimal", "name": "weight", "label": "weight"},
        {"type": "begin_group", "name": "job", "label": "job"},
        {"type": "select_multiple tasks", "name": "tasks", "label": "tasks"},
        {"type": "end_group"},
        {"type": "begin_repeat", "name": "injury", "label": "injury"},
        {"type": "date", "name": "when", "label": "when"},
        {"type": "end_repeat"},
        {"type": "end_repeat"},
        {"type": "end_group"},
        {"type": "begin_repeat", "name": "photo", "label": "photo"},
        {"type": "dateTime", "name": "taken", "label": "taken"},
        {"type": "end_repeat"},
    ],
    "choices": [{"list_name": "tasks", "name": n, "label": n} for n in ("carry", "cook", "sell")],
    "settings": [{"form_id": "nested", "version": "1"}],
}
NESTED_VALUES = {
    "n": "3",
    "visit": {
        "where": "21.5 105.25 -3 4.5",
        "member": [
            {"member_name": "An", "weight": "31.50", "job": {"tasks": "carry sell"},
             "injury": [{"when": "2026-01-02"}, {"when": "2026-02-03"}]},
            {"member_name": "Bình", "weight": " 7.25 ", "job": {"tasks": None}},
            {"member_name": "Chi", "weight": "1e1", "injury": [{"when": "2026-03-04"}]},
        ],
    },
    "photo": [{"taken": "2026-01-01T10:00:00.000+07"}],
}


def _nested_answers(values: dict, prefix: str = "") -> Answers:
    answers = Answers()
    for name, value in values.items():
        path = f"{prefix}/{name}" if prefix else name
        if isinstance(value, list):
            answers.repeats[path] = [_nested_answers(entry, path) for entry in value]
        elif isinstance(value, dict):
            inner = _nested_answers(value, path)
            answers.values.update(inner.values)
            answers.repeats.update(inner.repeats)
        elif value is not None:
            answers.values[path] = value
    return answers


def test_nested_repeats_match_the_fake_central_built_like_central_backend() -> None:
    """Repeats in groups and in repeats: positional ids and navigation links as Central makes them."""
    from pyxform.xls2xform import convert

    schema = FormSchema.from_xlsform_dict(NESTED)
    xform = convert(xlsform=NESTED).xform.encode()
    with FakeOdkCentral(seed=None) as odk:
        project = odk.create_project("nested")
        odk.publish_form(project, xform)
        instance_id = odk.add_submission(project, "nested", NESTED_VALUES)
        with OdkCentralClient(odk.url, "admin@example.com", DEFAULT_PASSWORD, settings=FAST) as client:
            (row,) = client.submissions.rows(project, "nested")
    answers = _nested_answers(NESTED_VALUES)
    answers.values["meta/instanceID"] = instance_id
    payload = canonical_payload(schema, answers, instance_id, row["__system"])
    assert payload == row
    assert payload["visit"]["member"][1]["weight"] == 7.25  # XML whitespace around a number: read as Central does
    assert "injury" not in payload["visit"]["member"][1]  # no entries: no key at all
    assert payload["visit"]["member"][0]["injury@odata.navigationLink"].count("member('") == 1


def test_typed_values_follow_javascript_parsing() -> None:
    assert [typed_value("int", t) for t in ("12", " 12", "+7", "-0", "007", " \t")] == [12, 12, 7, 0, 7, None]
    assert [typed_value("decimal", t) for t in ("14.5", "42", "1e3", ".5", "5.", "1.0E-4", "210.000")] == [
        14.5, 42, 1000, 0.5, 5, 0.0001, 210]


# Texts JavaScript's parseInt/parseFloat would cut to the number they start with (or make null), read strictly:
# each stays the text it is, for the warehouse to refuse
NOT_INTS = ("5.7", "-3x", "abc", "1.4e1", "14 tuổi", "1_0", "١٤", "１４", "14\u00a0", "1" * 5000, "210.000", "Infinity")
NOT_DECIMALS = ("12,5", "x", "Infinity", "NaN", "1e999", "-1e400", "1_0.5", "١٢.٥", "12.5h", "1.2.3", ".", "-", "0x1A",
                "9" * 400)  # more digits than a float holds: not "not answered"


@pytest.mark.parametrize("text", NOT_INTS)
def test_an_int_answer_that_is_not_a_whole_number_is_kept_as_text(text: str) -> None:
    assert typed_value("int", text) == text


@pytest.mark.parametrize("text", NOT_DECIMALS)
def test_a_decimal_answer_that_is_not_a_number_is_kept_as_text(text: str) -> None:
    assert typed_value("decimal", text) == text
    assert typed_value("geopoint", "21.0285 105.8542") == {"type": "Point", "coordinates": [105.8542, 21.0285]}
    assert typed_value("geopoint", "21 105 10 5") == {"type": "Point", "coordinates": [105, 21, 10],
                                                      "properties": {"accuracy": 5}}
    assert typed_value("geopoint", "north") is None
    assert typed_value("geotrace", "1 2 0 3; 4 5; ") == {"type": "LineString", "coordinates": [[2, 1, 0], [5, 4]],
                                                        "properties": {"accuracies": [3, None]}}
    assert typed_value("geoshape", "1 2;3 4;1 2") == {"type": "Polygon", "coordinates": [[[2, 1], [4, 3], [2, 1]]]}
    assert typed_value("dateTime", "2026-01-01T10:00:00.000+07") == "2026-01-01T10:00:00.000+07:00"
    assert typed_value("date", "2026-01-01") == "2026-01-01"
    assert typed_value("string", " as typed ") == " as typed "


def test_odata_names_and_unknown_answers(household_schema: FormSchema) -> None:
    names = ("hh_size", "member-name", "2nd", "a.b")
    assert [odata_name(n) for n in names] == ["hh_size", "member_name", "_2nd", "a_b"]
    with pytest.raises(ValueError, match="`household/pets` is not a question of the form"):
        canonical_payload(household_schema, Answers(values={"household/pets": "2"}), "uuid:x", {})
    with pytest.raises(ValueError, match="`child/child_name` is not a question of the form"):
        canonical_payload(household_schema, Answers(values={"child/child_name": "An"}), "uuid:x", {})
    with pytest.raises(ValueError, match="`household` is not a repeat of the form"):
        canonical_payload(household_schema, Answers(repeats={"household": [Answers()]}), "uuid:x", {})


BROADCAST_ANSWERS = {  # a broadcast as KoboToolbox or an export file gives it: text answers, no participants
    "activity_date": "2026-06-12", "reporter": "Võ Thị Mai", "activity_type": "media_broadcast",
    "has_audience": "no", "campaign": "world_day", "title": "Phát thanh 12/6", "topics": "child_labour_law",
    "location/province": "91", "location/commune": "30313", "organiser_type": "commune_committee",
    "organiser_name": "UBND xã", "media/broadcast_channel": "commune_radio", "media/airings": "8",
    "media/estimated_reach": "3200", "media/reach_basis": "households_covered",
}


@pytest.mark.parametrize(("airings", "typed"), [("8", 8), ("8 lần", "8 lần")])
def test_a_broadcast_is_typed_strictly_with_its_groups_not_asked_null(airings: str, typed) -> None:
    schema = definition("activity_report").schema
    kinds = {f.path: (f.type, f.kind) for f in schema.fields}
    assert kinds["media/airings"] == ("int", "input") and kinds["has_audience"] == ("string", "calculate")
    assert kinds["sanction/sanction_kinds"] == ("string", "select_multiple")
    row = canonical_payload(schema, Answers(values={**BROADCAST_ANSWERS, "media/airings": airings}), "uuid:b", {})
    assert row["media"] == {"broadcast_channel": "commune_radio", "airings": typed, "material": None,
                            "copies": None, "estimated_reach": 3200, "reach_basis": "households_covered"}
    assert set(row["participants"].values()) == {None} and set(row["sanction"].values()) == {None}
