"""Every node name is used once in its whole form: KoboToolbox refuses a form with a name used twice anywhere, even
in different groups ("Duplicate node name: sector", ../shared/fixtures/kobotoolbox/README.md), though pyxform and
ODK accept it. A name may be shared across forms (the household survey's work questions are)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import openpyxl
from pyxform import create_survey_from_xls

from tests.forms.xlsform_tools import form_files


def duplicate_names(survey) -> list[str]:
    """The names given to more than one node of a pyxform survey (questions, notes, calculates, groups, repeats,
    metadata), sorted."""
    counts = Counter(node.name for node in survey.iter_descendants() if node is not survey)
    return sorted(name for name, count in counts.items() if count > 1)


@pytest.mark.parametrize("path", form_files(), ids=lambda path: path.name)
def test_every_node_name_is_unique_in_its_form(path: Path):
    assert duplicate_names(create_survey_from_xls(str(path))) == [], f"{path.name}: names used more than once"


def survey_of(rows: list[tuple[str, ...]], path: Path):
    """The pyxform survey of an XLSForm with these survey rows (type, name, label or calculation)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label", "calculation"])
    for kind, *rest in rows:
        name, text = (rest + ["", ""])[:2]
        sheet.append([kind, name, *((None, text) if kind == "calculate" else (text, None))])
    workbook.save(path)
    return create_survey_from_xls(str(path))


def test_a_name_used_twice_anywhere_is_found(tmp_path):
    """In different groups, in a repeat and as a calculate: each is a duplicate for KoboToolbox."""
    survey = survey_of([
        ("begin_group", "establishment", "E"),
        ("text", "sector", "S"),
        ("end_group",),
        ("begin_repeat", "worker", "W"),
        ("begin_group", "work", "W"),
        ("text", "sector", "S"),
        ("end_group",),
        ("calculate", "age", "1"),
        ("end_repeat",),
        ("calculate", "age", "2"),
        ("begin_group", "worker_details", "D"),
        ("text", "work", "W"),
        ("end_group",),
    ], tmp_path / "form.xlsx")
    assert duplicate_names(survey) == ["age", "sector", "work"]
