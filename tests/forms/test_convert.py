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
    assert "household_survey.xlsx" in [path.name for path in form_files()]


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


def test_household_survey_structure():
    html = ET.fromstring(convert_form(FORMS_DIR / "household_survey.xlsx").xform)
    model = html.find("h:head/xf:model", NS)
    assert {i.get("id"): i.get("src") for i in model.iterfind("xf:instance[@src]", NS)} == {
        "provinces": "jr://file-csv/provinces.csv", "communes": "jr://file-csv/communes.csv"}
    repeat = html.find(".//xf:repeat", NS)
    assert repeat.get("nodeset") == "/data/child"
    assert repeat.get(f"{{{NS['jr']}}}count").strip() == "/data/household/n_children"
    commune = html.find(".//xf:select1[@ref='/data/location/commune']/xf:itemset", NS)
    predicate = "instance('communes')/root/item[province=/data/location/province]"
    assert commune.get("nodeset").replace(" ", "") == predicate
    binds = {b.get("nodeset"): b for b in model.iterfind("xf:bind", NS)}
    assert binds["/data/consent"].get("required") == "true()"
    assert binds["/data/location"].get("relevant").replace(" ", "") == "/data/consent='yes'"
    assert binds["/data/child/age"].get("calculate")
