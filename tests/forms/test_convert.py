"""Every form in forms/ converts with pyxform, with zero warnings, to a well-formed bilingual XForm."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest
from pyxform.xls2xform import convert

from tests.forms.xlsform_tools import (
    FORMS_DIR, NS, convert_form, form_files, read_sheets, settings_version, untranslated,
)

LANGUAGES = ["Vietnamese (vi)", "English (en)"]


@pytest.fixture(scope="module", params=form_files(), ids=lambda path: path.name)
def converted(request):
    return request.param, convert_form(request.param)


def instance_root(xform: str) -> ET.Element:
    return next(iter(ET.fromstring(xform).find("h:head/xf:model/xf:instance", NS)))


def test_there_are_forms():
    assert [path.name for path in form_files()] == [
        "activity_report.xlsx", "case_followup.xlsx", "case_report.xlsx", "household_back_check.xlsx",
        "household_survey.xlsx", "workplace_inspection.xlsx"]


def test_converts_without_warnings(converted):
    path, result = converted
    assert result.warnings == [], f"{path.name}: pyxform warnings"


def test_passes_odk_validate(converted):
    """ODK Validate (JavaRosa, the engine of ODK Collect, shipped with pyxform) accepts the XForm."""
    if shutil.which("java") is None:
        pytest.skip("ODK Validate needs Java")
    path, _ = converted
    assert convert(xlsform=path, warnings=[], validate=True).warnings == []


def test_form_id_and_version_come_from_settings(converted):
    path, result = converted
    settings = dict(zip(*read_sheets(path)["settings"][:2]))
    root = instance_root(result.xform)
    assert (root.get("id"), root.get("version")) == (settings["form_id"], settings_version(path))
    assert ET.fromstring(result.xform).findtext("h:head/h:title", namespaces=NS) == settings["form_title"]


def test_vietnamese_default_and_english(converted):
    _, result = converted
    translations = ET.fromstring(result.xform).findall("h:head/xf:model/xf:itext/xf:translation", NS)
    assert [t.get("lang") for t in translations] == LANGUAGES
    assert translations[0].get("default") == "true()"


def test_every_text_in_both_languages(converted):
    path, result = converted
    assert untranslated(result.xform) == [], f"{path.name}: texts missing in a language"


def test_attachments_are_in_media(converted):
    _, result = converted
    sources = [i.get("src") for i in ET.fromstring(result.xform).iterfind("h:head/xf:model/xf:instance", NS)]
    for src in filter(None, sources):
        assert src.startswith("jr://file-csv/") and (FORMS_DIR / "media" / src.rsplit("/", 1)[1]).is_file(), src


def parts(form: str):
    """The converted form's model, body and binds by nodeset."""
    html = ET.fromstring(convert_form(FORMS_DIR / form).xform)
    model = html.find("h:head/xf:model", NS)
    return model, html.find("h:body", NS), {b.get("nodeset"): b for b in model.iterfind("xf:bind", NS)}


def attachments(model) -> dict[str, str]:
    return {i.get("id"): i.get("src") for i in model.iterfind("xf:instance[@src]", NS)}


def itemset(body, ref: str) -> str:
    return body.find(f".//*[@ref='{ref}']/xf:itemset", NS).get("nodeset").replace(" ", "")


def repeat_count(body, nodeset: str) -> str:
    return body.find(f".//xf:repeat[@nodeset='{nodeset}']", NS).get(f"{{{NS['jr']}}}count").strip()


CODE_LISTS = {"provinces": "jr://file-csv/provinces.csv", "communes": "jr://file-csv/communes.csv"}
COMMUNES_OF_PROVINCE = "instance('communes')/root/item[province=/data/location/province]"


def test_household_survey_structure():
    model, body, binds = parts("household_survey.xlsx")
    assert attachments(model) == {**CODE_LISTS, "sampling_units": "jr://file-csv/sampling_units.csv"}
    assert itemset(body, "/data/location/sampling_unit") == \
        "instance('sampling_units')/root/item[commune=/data/location/commune]"
    assert binds["/data/location/sampling_unit"].get("required") in (None, "false()")
    assert repeat_count(body, "/data/child") == "/data/household/n_children"
    assert itemset(body, "/data/location/commune") == COMMUNES_OF_PROVINCE
    assert binds["/data/consent"].get("required") == "true()"
    assert binds["/data/location"].get("relevant").replace(" ", "") == "/data/consent='yes'"
    assert binds["/data/child/age"].get("calculate")


def test_workplace_inspection_structure():
    model, body, binds = parts("workplace_inspection.xlsx")
    assert attachments(model) == CODE_LISTS
    assert repeat_count(body, "/data/young_worker") == "/data/establishment/n_young_workers"
    assert itemset(body, "/data/location/commune") == COMMUNES_OF_PROVINCE
    assert binds["/data/young_worker/contract_signed"].get("relevant").replace(" ", "") == "../age<15"
    assert binds["/data/young_worker/work/hours_week"].get("constraint")


def test_case_followup_updates_the_selected_case():
    model, body, binds = parts("case_followup.xlsx")
    assert model.get("{http://www.opendatakit.org/xforms/entities}entities-version") == "2024.1.0"
    assert attachments(model) == {"cases": "jr://file-csv/cases.csv"}
    assert itemset(body, "/data/case_id") == "instance('cases')/root/item[status!='closed']"
    entity = model.find("xf:instance/xf:data/xf:meta/xf:entity", NS)
    assert {key: entity.get(key) for key in ("dataset", "update", "create")} == {
        "dataset": "cases", "update": "1", "create": None}
    assert binds["/data/meta/entity/@id"].get("calculate").strip() == "/data/case_id"
    saveto = {nodeset: bind.get("{http://www.opendatakit.org/xforms/entities}saveto")
              for nodeset, bind in binds.items()}
    assert {nodeset: prop for nodeset, prop in saveto.items() if prop} == {
        "/data/visit_date": "last_visit", "/data/case_type": "case_type", "/data/first_support": "first_support",
        "/data/case_status": "status", "/data/next_visit": "due_date", "/data/case_state": "state"}


def test_activity_report_structure():
    model, body, binds = parts("activity_report.xlsx")
    assert attachments(model) == CODE_LISTS
    assert body.find(".//xf:upload[@ref='/data/participants/participant_list']", NS) is not None
    assert binds["/data/participants/participant_list"].get("required") is None
    assert binds["/data/participants/total"].get("constraint").replace(" ", "") == (
        ".>=1and.=/data/participants/male+/data/participants/female")


def test_case_report_structure():
    model, body, binds = parts("case_report.xlsx")
    assert attachments(model) == CODE_LISTS
    assert itemset(body, "/data/location/commune") == COMMUNES_OF_PROVINCE
    assert binds["/data/screening/identification_date"].get("relevant").replace(" ", "") == (
        "/data/screening/screening_outcome='open_case'")
    assert binds["/data/screening/no_case_reason"].get("relevant").replace(" ", "") == (
        "/data/screening/screening_outcome='no_case'")
    assert binds["/data/reported_child/age"].get("calculate")
