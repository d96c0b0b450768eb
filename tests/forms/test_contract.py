"""Every form follows its field contract in forms/README.md: paths, types, choice lists and codes; a list name and
the questions on a child's work mean the same thing in every form."""

from __future__ import annotations

import itertools
import re

import pytest

from tests.forms.xlsform_tools import FORMS_DIR, form_files, read_sheets

README = FORMS_DIR / "README.md"
CONTRACTS = {  # form file: the title of its section "## <title>: fields the pipeline reads"
    "household_survey.xlsx": "Household survey",
    "workplace_inspection.xlsx": "Workplace inspection",
    "case_followup.xlsx": "Case follow-up",
    "activity_report.xlsx": "Activity report",
    "household_back_check.xlsx": "Household back-check",
    "case_report.xlsx": "Case report",
}
SHARED_LISTS = "Lists of the household survey"  # a paragraph naming the household survey's lists a form reuses
WORK = {"household_survey.xlsx": "child", "workplace_inspection.xlsx": "young_worker", "case_followup.xlsx": ""}
WORK_QUESTIONS = ["econ_activity", "temp_absent", "work", "work/*"]  # where a form asks them, asked the same way
SAME_WAY = ["type", "name", "required", "relevant", "constraint", "choice_filter", "appearance"]


def form_section(form: str) -> str:
    """The form's section of the README: from its "##" heading to the next one."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {CONTRACTS[form]}: fields the pipeline reads\n")
    end = text.find("\n## ", start + 1)
    return text[start:] if end == -1 else text[start:end]


def subsection(section: str, heading: str) -> str:
    start = section.index(f"\n{heading}\n")
    end = section.find("\n#", start + len(heading) + 2)
    return section[start:] if end == -1 else section[start:end]


def contract_lists(form: str) -> dict[str, list[str]]:
    """{list name: codes} of the form's "Choice lists": a paragraph per list, its name first, or a paragraph
    naming the household survey's lists that the form reuses."""
    lists = {}
    for block in re.split(r"\n\s*\n", subsection(form_section(form), "### Choice lists")):
        names = re.findall(r"`(\w+)`", block)
        if block.startswith(SHARED_LISTS):
            household = contract_lists("household_survey.xlsx")
            lists |= {name: household[name] for name in names}
        elif block.startswith("`"):
            lists[names[0]] = names[1:]
    return lists


def contract_fields(form: str) -> dict[str, str]:
    """{path: type} of the form's contract table (before its first "###"), type without backticks. A path with
    `{list}` stands for one path per code of that list."""
    table = form_section(form).split("\n### ")[0]
    fields = {}
    for path, kind in re.findall(r"^\| `([^`]+)` \| ([^|]+) \|", table, flags=re.MULTILINE):
        kind = " ".join(kind.replace("`", "").split())
        template = re.search(r"\{(\w+)\}", path)
        for code in contract_lists(form)[template[1]] if template else [None]:
            fields[path.replace(template[0], code) if template else path] = kind
    return fields


def survey_rows(form: str) -> dict[str, dict[str, str]]:
    """{path: cells} of the survey sheet, groups nested; type normalised, a repeat's type is "repeat"."""
    header, *rows = read_sheets(FORMS_DIR / form)["survey"]
    fields, stack = {}, []
    for row in rows:
        cells = dict(zip(header, row))
        kind = " ".join(cells.get("type", "").split())
        if kind in ("end_group", "end_repeat", "end group", "end repeat"):
            stack.pop()
        elif kind:
            cells["type"] = "repeat" if kind in ("begin_repeat", "begin repeat") else kind
            fields["/".join([*stack, cells["name"]])] = cells
            if kind.startswith("begin"):
                stack.append(cells["name"])
    return fields


def form_fields(form: str) -> dict[str, str]:
    return {path: cells["type"] for path, cells in survey_rows(form).items()}


def form_choices(form: str) -> dict[str, list[tuple[str, ...]]]:
    """{list name: [(code, labels…)]} of the choices sheet."""
    header, *rows = read_sheets(FORMS_DIR / form)["choices"]
    lists: dict[str, list[tuple[str, ...]]] = {}
    for row in rows:
        cells = dict(zip(header, row))
        labels = tuple(cells.get(column, "") for column in header if column.startswith("label"))
        lists.setdefault(cells["list_name"], []).append((cells["name"], *labels))
    return lists


def test_every_form_has_a_contract():
    assert sorted(path.name for path in form_files()) == sorted(CONTRACTS)


def test_contract_is_readable():
    assert len(contract_fields("household_survey.xlsx")) >= 38
    assert "child/work/hazards" in contract_fields("household_survey.xlsx")
    assert contract_lists("household_survey.xlsx")["yes_no"] == ["yes", "no"]
    assert "none" in contract_lists("workplace_inspection.xlsx")["hazard"]  # a shared list
    assert "reached/craft_village_households_new_trained" in contract_fields("activity_report.xlsx")  # {audience}
    assert "name" not in contract_fields("case_followup.xlsx")  # the cases.csv table is not the form's


@pytest.mark.parametrize(("form", "path", "kind"),
                         [(form, path, kind) for form in CONTRACTS for path, kind in contract_fields(form).items()])
def test_contract_field_in_form(form, path, kind):
    fields = form_fields(form)
    assert path in fields, f"{path} is in the contract (forms/README.md) but not in {form}"
    assert fields[path] == kind, f"{form} {path}: the contract says {kind!r}, the form has {fields[path]!r}"


@pytest.mark.parametrize(("form", "list_name", "codes"),
                         [(form, name, codes) for form in CONTRACTS for name, codes in contract_lists(form).items()])
def test_contract_choice_list_in_form(form, list_name, codes):
    lists = {name: [choice[0] for choice in choices] for name, choices in form_choices(form).items()}
    assert list_name in lists, f"choice list {list_name} is in the contract but not in {form}"
    assert sorted(lists[list_name]) == sorted(codes), f"{form}: codes of {list_name} differ from the contract"


@pytest.mark.parametrize("form", CONTRACTS)
def test_every_select_uses_a_contract_list(form):
    lists = contract_lists(form)
    selects = {path: kind.split()[1] for path, kind in form_fields(form).items()
               if kind.startswith(("select_one ", "select_multiple "))}
    assert {path: name for path, name in selects.items() if name not in lists} == {}


@pytest.mark.parametrize(("first", "second"), list(itertools.combinations(CONTRACTS, 2)))
def test_a_list_name_means_the_same_list_in_every_form(first, second):
    one, other = form_choices(first), form_choices(second)
    assert {name: one[name] for name in one.keys() & other.keys() if one[name] != other[name]} == {}


@pytest.mark.parametrize("form", [form for form in WORK if form != "household_survey.xlsx"])
def test_work_is_asked_as_in_the_household_survey(form):
    """Same names, types, constraints and relevance (labels name the person differently)."""

    def work_questions(form):
        prefix = f"{WORK[form]}/" if WORK[form] else ""
        return {path.removeprefix(prefix): [cells.get(column, "") for column in SAME_WAY]
                for path, cells in survey_rows(form).items()
                if any(re.fullmatch(prefix + pattern.replace("*", ".+"), path) for pattern in WORK_QUESTIONS)}

    household, this = work_questions("household_survey.xlsx"), work_questions(form)
    assert "work/hazards" in this
    if form == "workplace_inspection.xlsx":  # every young worker found works: no econ_activity, work always asked
        household = {path: cells for path, cells in household.items() if path.startswith("work/")}
        this.pop("work")
    assert this == household


def cases_csv_contract() -> dict[str, str]:
    """{column: written by} of the cases.csv table in "The `cases` entity list"."""
    section = subsection(form_section("case_followup.xlsx"), "### The `cases` entity list")
    return dict(re.findall(r"^\| `(\w+)` \| ([^|]+?) \|", section, flags=re.MULTILINE))


def test_cases_csv_columns_are_the_contract():
    with open(FORMS_DIR / "media" / "cases.csv", encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split(",")
    assert header == list(cases_csv_contract())


def test_the_case_followup_reads_and_writes_contract_columns_only():
    columns = cases_csv_contract()
    rows = survey_rows("case_followup.xlsx")
    written = {cells["save_to"] for cells in rows.values() if cells.get("save_to")}
    assert written == {column for column, writer in columns.items() if "form" in writer}
    expressions = " ".join(cells.get(key, "") for cells in rows.values() for key in ("calculation", "choice_filter"))
    read = set(re.findall(r"instance\('cases'\)/root/item\[[^]]*\]/(\w+)", expressions))
    read |= set(re.findall(r"^(\w+) *!?=", rows["case_id"]["choice_filter"]))
    assert read == {"label", "first_support", "status", "state", "due_date"} and read <= columns.keys()
