"""Conventions of the project's forms on tiny inline XLSForms (pyxform-test style): what the checks catch."""

from __future__ import annotations

from pyxform.xls2xform import convert

from tests.forms.xlsform_tools import itext, untranslated

SETTINGS = """
| settings |                  |
|          | default_language |
|          | Vietnamese (vi)  |
"""


def convert_md(md: str):
    return convert(xlsform=md + SETTINGS, file_type=".md", warnings=[])


def test_both_languages_everywhere_converts_cleanly():
    result = convert_md("""
| survey  |                   |      |                        |                     |
|         | type              | name | label::Vietnamese (vi) | label::English (en) |
|         | select_one yes_no | q    | Có không?              | Yes or no?          |
| choices |                   |      |                        |                     |
|         | list_name         | name | label::Vietnamese (vi) | label::English (en) |
|         | yes_no            | yes  | Có                     | Yes                 |
""")
    assert result.warnings == [] and untranslated(result.xform) == []
    assert list(itext(result.xform)) == ["Vietnamese (vi)", "English (en)"]


def test_a_missing_language_column_is_a_pyxform_warning():
    result = convert_md("""
| survey |          |      |                        |                     |                       |
|        | type     | name | label::Vietnamese (vi) | label::English (en) | hint::Vietnamese (vi) |
|        | integer  | q    | Tuổi                   | Age                 | Tròn năm              |
""")
    assert result.warnings == ["Language 'English (en)' is missing the survey hint column."]


def test_a_missing_translation_cell_is_reported():
    result = convert_md("""
| survey  |                   |      |                        |                     |
|         | type              | name | label::Vietnamese (vi) | label::English (en) |
|         | integer           | a    | Tuổi                   |                     |
|         | select_one yes_no | b    | Có không?              | Yes or no?          |
| choices |                   |      |                        |                     |
|         | list_name         | name | label::Vietnamese (vi) |                     |
|         | yes_no            | yes  | Có                     |                     |
""")
    assert result.warnings == []  # pyxform does not notice: untranslated() does
    assert untranslated(result.xform) == ["English (en): /data/a:label", "English (en): yes_no-0"]


def test_an_untranslated_label_column_is_reported():
    result = convert_md("""
| survey |          |      |       |                        |                     |
|        | type     | name | label | label::Vietnamese (vi) | label::English (en) |
|        | integer  | a    | Age   |                        |                     |
|        | integer  | b    |       | Số                     | Number              |
""")
    assert result.warnings == []  # pyxform shows "Age" in every language
    assert untranslated(result.xform) == ["literal: /data/a label"]


def test_an_untranslated_message_column_is_a_pyxform_warning():
    result = convert_md("""
| survey |          |      |                        |                     |            |                    |
|        | type     | name | label::Vietnamese (vi) | label::English (en) | constraint | constraint_message |
|        | integer  | a    | Tuổi                   | Age                 | . > 4      | Từ 5 tuổi          |
""")
    assert "Language 'English (en)' is missing the survey constraint_message column." in result.warnings[0]
