"""Programme registers that data managers upload like the reference populations: the pilot and model sites of
programmes (An Giang's nine ILO communes, Hà Nội's models), the sector and agency responsible for each indicator
in a jurisdiction (Hà Nội splits them between the labour and education sectors), and the budget allocated and
spent by activity line, year and area.

Each file is validated whole (every problem listed with its row, in the language of ``CLMS_LANGUAGE``) and stored
whole, or refused, by :func:`warehouse.reference.reference_data.store_uploads`: the folder is the truth.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from warehouse.infra.messages import text
from warehouse.reference.expected_reporting import _day
from warehouse.reference.reference_data import (
    CODE,
    GROUPED,
    KEYS,
    LEVELS,
    NATIONAL,
    YEARS,
    LegacyUnits,
    _area_known,
    _has_nul,
    _records,
    _refuse,
    _repeated,
    _row,
    _year,
)
from warehouse.schema.admin_units import LEGACY, AdminUnits

SITES, RESPONSIBILITY, BUDGET = "programme_sites", "responsible_sectors", "budget_lines"  # upload folders
SITE_COLUMNS = ("programme_id", "programme_name", "site_kind", "area_level", "area_code", "code_list_version",
                "valid_from", "valid_to", "source_document")
RESPONSIBILITY_COLUMNS = ("indicator_id", "jurisdiction_level", "jurisdiction_code", "code_list_version", "part",
                          "sector", "agency", "source_document")
BUDGET_COLUMNS = ("area_level", "area_code", "code_list_version", "year", "activity_line", "funding_source",
                  "allocated", "spent", "source_document")
COLUMNS = {SITES: SITE_COLUMNS, RESPONSIBILITY: RESPONSIBILITY_COLUMNS, BUDGET: BUDGET_COLUMNS}
SITE_KINDS = ("pilot", "model")
SITE_LEVELS = ("commune", "district")  # a district: an old one (vn-legacy), every old commune of it
PARTS = ("all", "community", "school")  # Hà Nội: 2.2's children in the community (labour), in schools (education)
SECTORS = ("labour", "education", "police", "agriculture", "industry_trade", "information", "youth_union",
           "cooperatives", "other")
ACTIVITY_LINES = ("communication", "training", "models", "inspection", "support", "monitoring", "coordination",
                  "other")
FUNDING_SOURCES = ("state_budget", "donor", "social", "other")
MAX_AMOUNT = 10**15  # đồng: far above any plan's budget line
AMOUNT = re.compile(r"[0-9]{1,16}(\.0)?")


def validate_sites(frame: pd.DataFrame, name: str, units: AdminUnits, legacy: LegacyUnits) -> list[dict]:
    """The sites of one file: a commune of either code list, or an old district, with the days it runs."""
    districts = {r["legacy_district_code"] for r in legacy.rows if r["legacy_district_code"]}
    known = {("commune", units.code_list_version): units.communes, ("commune", LEGACY): legacy.communes,
             ("district", LEGACY): districts}
    problems, rows, first, programmes = [], [], {}, {}
    for number, row in enumerate(_records(frame), start=2):
        here = _row(number)
        if _has_nul(row):
            problems.append(text("reference.nul", row=here))
        if not CODE.fullmatch(row["programme_id"]):
            problems.append(text("reference.code", row=here, column="programme_id"))
        named = programmes.setdefault(row["programme_id"], (row["programme_name"], row["site_kind"], number))
        if named[:2] != (row["programme_name"], row["site_kind"]):
            problems.append(text("reference.one_programme", row=here, programme=repr(row["programme_id"]),
                                 earlier=named[2]))
        problems += [text("reference.required", row=here, column=c) for c in ("programme_name", "source_document")
                     if not row[c]]
        if row["site_kind"] not in SITE_KINDS:
            problems.append(text("reference.one_of", row=here, column="site_kind", allowed=", ".join(SITE_KINDS)))
        if row["area_level"] not in SITE_LEVELS:
            problems.append(text("reference.one_of", row=here, column="area_level", allowed=", ".join(SITE_LEVELS)))
        elif row["area_code"] not in known.get((row["area_level"], row["code_list_version"]), ()):
            problems.append(text("reference.site_unknown", row=here, level=row["area_level"],
                                 code=repr(row["area_code"]), version=repr(row["code_list_version"]),
                                 current=units.code_list_version, legacy=LEGACY))
        start, end = _day(row["valid_from"]), _day(row["valid_to"]) if row["valid_to"] else None
        if start is None or (row["valid_to"] and (end is None or end < start)):
            problems.append(text("reference.site_days", row=here))
        rows.append({**row, "valid_from": start or date.min, "valid_to": end})
        problems.append(_repeated(first, KEYS[SITES](rows[-1]), number))
    _refuse(name, problems)
    return rows


def validate_responsibility(frame: pd.DataFrame, name: str, indicator_ids: set[str], units: AdminUnits,
                            legacy: LegacyUnits) -> list[dict]:
    """Who answers for each indicator (or part of one, ``all`` when empty) in a plan's jurisdiction."""
    problems, rows, first = [], [], {}
    for number, row in enumerate(_records(frame), start=2):
        here = _row(number)
        if _has_nul(row):
            problems.append(text("reference.nul", row=here))
        if row["indicator_id"] not in indicator_ids:
            problems.append(text("reference.unknown_indicator", row=here, value=repr(row["indicator_id"])))
        problems.append(_jurisdiction_problem(row, "jurisdiction", here, units, legacy))
        part = row["part"] or "all"
        if part not in PARTS:
            problems.append(text("reference.one_of", row=here, column="part", allowed=", ".join(PARTS)))
        if row["sector"] not in SECTORS:
            problems.append(text("reference.one_of", row=here, column="sector", allowed=", ".join(SECTORS)))
        problems += [text("reference.required", row=here, column=c) for c in ("agency", "source_document")
                     if not row[c]]
        rows.append({**row, "part": part})
        problems.append(_repeated(first, KEYS[RESPONSIBILITY](rows[-1]), number))
    _refuse(name, problems)
    return rows


def validate_budget(frame: pd.DataFrame, name: str, units: AdminUnits, legacy: LegacyUnits) -> list[dict]:
    """Budget lines in whole đồng: ``allocated`` required, ``spent`` empty until reported; no thousand
    separators (``1.500.000`` is refused, never read as 1.5)."""
    problems, rows, first = [], [], {}
    for number, row in enumerate(_records(frame), start=2):
        here = _row(number)
        if _has_nul(row):
            problems.append(text("reference.nul", row=here))
        problems.append(_jurisdiction_problem(row, "area", here, units, legacy))
        year = _year(row["year"])
        if year is None:
            problems.append(text("reference.year", row=here, first=YEARS.start, last=YEARS.stop - 1, example=2025))
        for column, allowed in (("activity_line", ACTIVITY_LINES), ("funding_source", FUNDING_SOURCES)):
            if row[column] not in allowed:
                problems.append(text("reference.one_of", row=here, column=column, allowed=", ".join(allowed)))
        if not row["source_document"]:
            problems.append(text("reference.required", row=here, column="source_document"))
        amounts = {}
        for column in ("allocated", "spent"):
            if column == "spent" and not row[column]:
                amounts[column] = None
                continue
            amounts[column] = _amount(row[column])
            if amounts[column] is None:
                problems.append(_amount_problem(here, column, row[column]))
        rows.append({**row, "year": year or 0, "allocated": amounts["allocated"] or 0, "spent": amounts["spent"]})
        problems.append(_repeated(first, KEYS[BUDGET](rows[-1]), number))
    _refuse(name, problems)
    return rows


def _jurisdiction_problem(row: dict, prefix: str, here: str, units: AdminUnits, legacy: LegacyUnits) -> str | None:
    level, code, version = row[f"{prefix}_level"], row[f"{prefix}_code"], row["code_list_version"]
    if level not in LEVELS:
        return text("reference.one_of", row=here, column=f"{prefix}_level", allowed=", ".join(LEVELS))
    if not _area_known(level, code, version, units, legacy):
        return (text("reference.area_unknown", row=here, level=level, code=repr(code), version=repr(version))
                + text("reference.use_lists", national=NATIONAL, current=units.code_list_version, legacy=LEGACY))
    return None


def _amount(value: str) -> int | None:
    if not AMOUNT.fullmatch(value):
        return None
    amount = int(value.removesuffix(".0"))
    return amount if amount <= MAX_AMOUNT else None


def _amount_problem(here: str, column: str, value: str) -> str:
    if GROUPED.fullmatch(value):
        return f"{here}: {column}: " + text("reference.thousands", value=repr(value), plain=re.sub("[.,]", "", value))
    return text("reference.amount", row=here, column=column, most=f"{MAX_AMOUNT:,}")
