"""The household survey follows the field contract of forms/README.md: paths, types, choice lists and codes."""

from __future__ import annotations

import re

import pytest

from tests.forms.xlsform_tools import FORMS_DIR, read_sheets

README = FORMS_DIR / "README.md"
FORM = FORMS_DIR / "household_survey.xlsx"


def readme_section(heading: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n{heading}\n")
    end = text.find("\n#", start + len(heading) + 2)
    return text[start:] if end == -1 else text[start:end]


def contract_fields() -> dict[str, str]:
    """{path: type} of the contract table, type without backticks ("select_one yes_no")."""
    rows = re.findall(r"^\| `([^`]+)` \| ([^|]+) \|", readme_section("## Household survey: fields the pipeline reads"),
                      flags=re.MULTILINE)
    return {path: " ".join(kind.replace("`", "").split()) for path, kind in rows}


def contract_lists() -> dict[str, list[str]]:
    """{list name: codes} of the "Choice lists" section: a paragraph per list, its name first."""
    blocks = [block for block in re.split(r"\n\s*\n", readme_section("### Choice lists")) if block.startswith("`")]
    return {codes[0]: codes[1:] for codes in (re.findall(r"`(\w+)`", block) for block in blocks)}


def form_fields() -> dict[str, str]:
    """{path: type} of the survey sheet, groups nested; a repeat's type is "repeat"."""
    header, *rows = read_sheets(FORM)["survey"]
    fields, stack = {}, []
    for row in rows:
        cells = dict(zip(header, row))
        kind, name = " ".join(cells.get("type", "").split()), cells.get("name", "")
        if kind in ("end_group", "end_repeat", "end group", "end repeat"):
            stack.pop()
        elif kind:
            fields["/".join([*stack, name])] = "repeat" if kind in ("begin_repeat", "begin repeat") else kind
            if kind.startswith("begin"):
                stack.append(name)
    return fields


def form_lists() -> dict[str, list[str]]:
    header, *rows = read_sheets(FORM)["choices"]
    lists: dict[str, list[str]] = {}
    for row in rows:
        cells = dict(zip(header, row))
        lists.setdefault(cells["list_name"], []).append(cells["name"])
    return lists


def test_contract_is_readable():
    assert len(contract_fields()) >= 38 and "child/work/hazards" in contract_fields()
    assert contract_lists()["yes_no"] == ["yes", "no"] and "none" in contract_lists()["hazard"]


@pytest.mark.parametrize(("path", "kind"), contract_fields().items())
def test_contract_field_in_form(path, kind):
    fields = form_fields()
    assert path in fields, f"{path} is in the contract (forms/README.md) but not in {FORM.name}"
    assert fields[path] == kind, f"{path}: the contract says {kind!r}, {FORM.name} has {fields[path]!r}"


@pytest.mark.parametrize(("list_name", "codes"), contract_lists().items())
def test_contract_choice_list_in_form(list_name, codes):
    lists = form_lists()
    assert list_name in lists, f"choice list {list_name} is in the contract but not in {FORM.name}"
    assert sorted(lists[list_name]) == sorted(codes), f"codes of {list_name} differ from the contract"


def test_every_select_uses_a_contract_list():
    lists = contract_lists()
    selects = {path: kind.split()[1] for path, kind in form_fields().items()
               if kind.startswith(("select_one ", "select_multiple "))}
    assert {path: name for path, name in selects.items() if name not in lists} == {}
