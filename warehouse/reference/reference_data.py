"""Reference data maintained by data managers: targets, reference populations, survey sample frames, old→new
administrative units (expected reporting: ``warehouse.reference.expected_reporting``).

Targets, populations and sample frames come as spreadsheets (``.xlsx`` or ``.csv``) with fixed columns; a file is validated
whole (every problem listed, with its row) and stored whole, or refused. The folder is the truth: the rows of a kind
are those of the files now in it (a deleted file's rows are withdrawn). Each file is versioned by its content.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import Engine, delete, insert, select

from connectors.forms import FORMS_DIR
from connectors.records import utc_now
from warehouse.infra.messages import text
from warehouse.schema.admin_units import LEGACY, AdminUnits
from warehouse.schema.models import (
    AreaCommune,
    BudgetLine,
    IndicatorResponsibility,
    LegacyCommune,
    ProgrammeSite,
    ReferencePopulation,
    ReferenceUpload,
    ReportingExpectation,
    SampleFrameUnit,
    Target,
)

SHIPPED_TARGETS = Path(__file__).with_name("targets.csv")
NATIONAL = "national"
LEVELS = ("national", "province", "commune")
COMPARATORS = ("<", "<=", ">=", ">", "minimise")
POPULATION_GROUPS = (
    "teachers_staff", "caregivers", "children_5_17", "provincial_district_officials", "commune_officials",
    "child_protection_staff", "enterprises", "cooperatives", "craft_village_households",
)
TARGET_COLUMNS = ("indicator_id", "jurisdiction_level", "jurisdiction_code", "code_list_version",
                  "jurisdiction_name", "year", "comparator", "value", "source_document", "note")
TARGET_OPTIONAL = ("valid_from", "valid_to")  # the years a target counts for; empty: open (see cells.apply_targets)
POPULATION_COLUMNS = ("area_level", "area_code", "code_list_version", "year", "population_group", "value", "source")
FRAME_COLUMNS = ("round_id", "design", "commune_code", "stratum", "psu_code", "psu_name", "psu_probability",
                 "household_weight", "households_listed")
DESIGNS = ("census", "sample")
CODE = re.compile(r"[A-Za-z0-9_.-]{1,32}")  # a round, stratum or unit code: no ":" (the form joins round:unit)
MODELS = {"targets": Target, "populations": ReferencePopulation, "expected_reporting": ReportingExpectation,
          "frames": SampleFrameUnit, "programme_sites": ProgrammeSite,
          "responsible_sectors": IndicatorResponsibility, "budget_lines": BudgetLine}
KEYS = {kind: itemgetter(*(c.name for c in model.__table__.primary_key)) for kind, model in MODELS.items()}
YEARS = range(2000, 2101)
MAX_COUNT = 2**31 - 1  # the largest value the column holds
PROBLEMS_SHOWN = 200  # a message lists this many problems, then says how many more
YEAR = re.compile(r"[0-9]{1,4}")
WHOLE = re.compile(r"[0-9]{1,10}(\.0)?")  # an Excel number cell read as text may end in ".0"
GROUPED = re.compile(r"[0-9]{1,3}([.,][0-9]{3})+")  # 210.000, 1,250,000
SHARE = re.compile(r"([0-9]+(?:[.,][0-9]+)?)\s*(%?)")


class ReferenceDataError(ValueError):
    """A reference file that cannot be loaded; the message lists every problem with its row (``problems``: each
    one alone, when they are several)."""

    def __init__(self, message: str, problems: tuple[str, ...] = ()):
        super().__init__(message)
        self.problems = problems or (message,)


@dataclass(frozen=True)
class LegacyUnits:
    """Pre-2025 provinces and communes, and the new communes each one's territory went to."""

    provinces: dict[str, str]
    communes: dict[str, str]
    rows: tuple[dict, ...]

    def new_communes_of_province(self, legacy_province: str) -> set[str]:
        return {r["commune"] for r in self.rows if r["legacy_province_code"] == legacy_province and r["commune"]}

    def new_communes_of_commune(self, legacy_commune: str) -> set[str]:
        return {r["commune"] for r in self.rows if r["legacy_code"] == legacy_commune and r["commune"]}


def load_legacy_units(media: Path | None = None) -> LegacyUnits:
    with open((media or FORMS_DIR / "media") / "legacy_communes.csv", encoding="utf-8", newline="") as f:
        rows = tuple(csv.DictReader(f))
    return LegacyUnits(
        provinces={r["legacy_province_code"]: r["legacy_province_name"] for r in rows},
        communes={r["legacy_code"]: r["legacy_name"] for r in rows},
        rows=rows,
    )


def read_table(path: Path, columns: tuple[str, ...], optional: tuple[str, ...] = ()) -> pd.DataFrame:
    """A spreadsheet's first sheet (or a UTF-8 CSV) as strings, with exactly the expected columns (``optional``
    ones empty when absent)."""
    try:
        if path.suffix.lower() == ".xlsx":
            frame = pd.read_excel(path, dtype=str, engine="openpyxl")
        elif path.suffix.lower() == ".csv":
            frame = pd.read_csv(path, dtype=str, encoding="utf-8", keep_default_na=False)
        else:
            raise ReferenceDataError(text("reference.not_a_table", file=path.name))
    except UnicodeDecodeError:
        raise ReferenceDataError(text("reference.not_utf8", file=path.name)) from None
    except (ValueError, KeyError, OSError, zipfile.BadZipFile, InvalidFileException):
        raise ReferenceDataError(text("reference.unreadable", file=path.name,
                                      kind=path.suffix.lower()[1:].upper())) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ReferenceDataError(text("reference.missing_columns", file=path.name, missing=", ".join(missing),
                                      expected=", ".join(columns)))
    for column in optional:
        frame[column] = frame[column] if column in frame.columns else ""
    return frame[list(columns + optional)].fillna("").map(lambda v: str(v).strip())


def _area_known(level: str, code: str, version: str, units: AdminUnits, legacy: LegacyUnits) -> bool:
    if level == "national":
        return code == "VN" and version == NATIONAL
    known = {
        ("province", units.code_list_version): units.provinces,
        ("commune", units.code_list_version): units.communes,
        ("province", LEGACY): legacy.provinces,
        ("commune", LEGACY): legacy.communes,
    }.get((level, version))
    return known is not None and code in known


def _year(text: str) -> int | None:
    return int(text) if YEAR.fullmatch(text) and int(text) in YEARS else None


def _share(text: str) -> float | None:
    """``0.85``, ``0,85`` or ``85%`` as 0.85; ``None`` unless a share between 0 and 1."""
    match = SHARE.fullmatch(text)
    if not match:
        return None
    value = float(match[1].replace(",", ".")) / (100 if match[2] else 1)
    return value if 0 <= value <= 1 else None


def _count_problem(value: str) -> str | None:
    """What is wrong with a whole number above 0 (``None`` if nothing): thousand separators are refused, never
    read as a decimal point (``210.000`` is not 210)."""
    if GROUPED.fullmatch(value):
        return text("reference.thousands", value=repr(value), plain=re.sub("[.,]", "", value))
    if not WHOLE.fullmatch(value):
        return text("reference.not_whole", value=repr(value))
    if not 0 < int(value.removesuffix(".0")) <= MAX_COUNT:
        return text("reference.too_large", value=repr(value), most=f"{MAX_COUNT:,}")
    return None


def _refuse(name: str, problems: list[str | None]) -> None:
    problems = [p for p in problems if p]
    if problems:
        shown = problems[:PROBLEMS_SHOWN]
        more = text("reference.more", n=len(problems) - len(shown)) if len(problems) > len(shown) else ""
        raise ReferenceDataError(text("reference.nothing_loaded", file=name)
                                 + "; ".join(shown + [more] if more else shown),
                                 tuple(f"{name}: {p}" for p in shown + ([more] if more else [])))


def _repeated(first: dict[tuple, int], key: tuple, number: int) -> str | None:
    """``repeats row 3 (…)`` when an earlier row of the file (``first``: key → row) has this ``key``."""
    earlier = first.setdefault(key, number)
    return None if earlier == number else text("reference.repeats", number=number, earlier=earlier,
                                                key=" ".join(map(str, key)))


def _row(number: int) -> str:
    return text("reference.row", number=number)


def _records(frame: pd.DataFrame) -> list[dict]:
    """The rows as dicts (``DataFrame.to_dict`` boxes every value, several times slower)."""
    columns = list(frame.columns)
    return [dict(zip(columns, values)) for values in zip(*(frame[c].tolist() for c in columns))]


def _has_nul(row: dict) -> bool:
    return "\x00" in "".join(row.values())


def validate_targets(frame: pd.DataFrame, name: str, indicator_ids: set[str], units: AdminUnits,
                     legacy: LegacyUnits) -> list[dict]:
    problems, rows, first = [], [], {}
    for number, row in enumerate(_records(frame), start=2):
        if _has_nul(row):
            problems.append(text("reference.nul", row=_row(number)))
        if row["indicator_id"] not in indicator_ids:
            problems.append(text("reference.unknown_indicator", row=_row(number), value=repr(row["indicator_id"])))
        if row["jurisdiction_level"] not in LEVELS:
            problems.append(text("reference.one_of", row=_row(number), column="jurisdiction_level",
                                 allowed=", ".join(LEVELS)))
        elif not _area_known(row["jurisdiction_level"], row["jurisdiction_code"], row["code_list_version"], units, legacy):
            problems.append(text("reference.area_unknown", row=_row(number), level=row["jurisdiction_level"],
                                 code=repr(row["jurisdiction_code"]), version=repr(row["code_list_version"]))
                            + text("reference.use_lists", national=NATIONAL, current=units.code_list_version,
                                   legacy=LEGACY))
        if row["comparator"] not in COMPARATORS:
            problems.append(text("reference.one_of", row=_row(number), column="comparator",
                                 allowed=" ".join(COMPARATORS)))
        year = _year(row["year"])
        if year is None:
            problems.append(text("reference.year", row=_row(number), first=YEARS.start, last=YEARS.stop - 1,
                                 example=2025))
        value = None if row["comparator"] == "minimise" else _share(row["value"])
        if value is None and row["comparator"] != "minimise":
            problems.append(text("reference.share", row=_row(number)))
        if not row["source_document"]:
            problems.append(text("reference.required", row=_row(number), column="source_document"))
        valid_from, valid_to = (_year(row.get(c, "")) for c in TARGET_OPTIONAL)
        if not _valid_period(row, year, valid_from, valid_to):
            problems.append(text("reference.validity", row=_row(number), first=YEARS.start, last=YEARS.stop - 1))
        rows.append({**row, "year": year or 0, "value": value, "note": row["note"] or None,
                     "valid_from": valid_from, "valid_to": valid_to})
        problems.append(_repeated(first, KEYS["targets"](rows[-1]), number))
    _refuse(name, problems)
    return rows


def _valid_period(row: dict, year: int | None, valid_from: int | None, valid_to: int | None) -> bool:
    """Each of valid_from and valid_to empty or a year, and valid_from ≤ year ≤ valid_to."""
    given = [(row.get(c, ""), v) for c, v in zip(TARGET_OPTIONAL, (valid_from, valid_to), strict=True)]
    if any(cell and v is None for cell, v in given):
        return False
    return year is None or ((valid_from or year) <= year <= (valid_to or year))


def validate_populations(frame: pd.DataFrame, name: str, units: AdminUnits, legacy: LegacyUnits) -> list[dict]:
    problems, rows, first = [], [], {}
    for number, row in enumerate(_records(frame), start=2):
        if _has_nul(row):
            problems.append(text("reference.nul", row=_row(number)))
        if row["area_level"] not in LEVELS:
            problems.append(text("reference.one_of", row=_row(number), column="area_level", allowed=", ".join(LEVELS)))
        elif not _area_known(row["area_level"], row["area_code"], row["code_list_version"], units, legacy):
            problems.append(text("reference.area_unknown", row=_row(number), level=row["area_level"],
                                 code=repr(row["area_code"]), version=repr(row["code_list_version"])))
        if row["population_group"] not in POPULATION_GROUPS:
            problems.append(text("reference.one_of", row=_row(number), column="population_group",
                                 allowed=", ".join(POPULATION_GROUPS)))
        year = _year(row["year"])
        if year is None:
            problems.append(text("reference.year", row=_row(number), first=YEARS.start, last=YEARS.stop - 1,
                                 example=2026))
        value_problem = _count_problem(row["value"])
        if value_problem:
            problems.append(f"{_row(number)}: {value_problem}")
        rows.append({**row, "year": year or 0, "value": 0 if value_problem else int(row["value"].removesuffix(".0")),
                     "source": row["source"] or None})
        problems.append(_repeated(first, KEYS["populations"](rows[-1]), number))
    _refuse(name, problems)
    return rows


def validate_frame(frame: pd.DataFrame, name: str, units: AdminUnits) -> list[dict]:
    """A survey round's sampling units: a census lists every village of its communes (its stratum may be left
    empty: the commune); a sample gives each unit's stratum and its selection probability or household weight, and
    every stratum has at least two units (a variance needs two). Households listed per unit, for both."""
    problems, rows, first, designs, strata = [], [], {}, {}, defaultdict(list)
    for number, row in enumerate(_records(frame), start=2):
        here = _row(number)
        if _has_nul(row):
            problems.append(text("reference.nul", row=here))
        problems += [text("reference.code", row=here, column=c) for c in ("round_id", "psu_code")
                     if not CODE.fullmatch(row[c])]
        design = row["design"]
        if design not in DESIGNS:
            problems.append(text("reference.one_of", row=here, column="design", allowed=", ".join(DESIGNS)))
        elif designs.setdefault(row["round_id"], (design, number))[0] != design:
            earlier_design, earlier = designs[row["round_id"]]
            problems.append(text("reference.one_design", row=here, round=repr(row["round_id"]),
                                 design=earlier_design, earlier=earlier))
        if row["commune_code"] not in units.communes:
            problems.append(text("reference.commune_unknown", row=here, code=repr(row["commune_code"]),
                                 version=units.code_list_version))
        if not row["psu_name"]:
            problems.append(text("reference.required", row=here, column="psu_name"))
        stratum = row["stratum"] or (row["commune_code"] if design == "census" else "")
        if not CODE.fullmatch(stratum):
            problems.append(text("reference.code", row=here, column="stratum"))
        probability = _share(row["psu_probability"]) if row["psu_probability"] else None
        if row["psu_probability"] and not probability:
            problems.append(text("reference.probability", row=here))
        weight = _number(row["household_weight"])
        if row["household_weight"] and not (weight and 1 <= weight < 1e7):
            problems.append(text("reference.weight", row=here))
        if design == "sample" and bool(row["psu_probability"]) == bool(row["household_weight"]):
            problems.append(text("reference.probability_or_weight", row=here))
        listed_problem = _count_problem(row["households_listed"])
        if listed_problem:
            problems.append(text("reference.listed", row=here, problem=listed_problem))
        rows.append({**row, "stratum": stratum, "psu_probability": probability, "household_weight": weight,
                     "households_listed": 0 if listed_problem else int(row["households_listed"].removesuffix(".0"))})
        problems.append(_repeated(first, KEYS["frames"](rows[-1]), number))
        if design == "sample":
            strata[(row["round_id"], stratum)].append(number)
    problems += [text("reference.one_unit", row=_row(numbers[0]), stratum=repr(stratum), round=repr(round_id))
                 for (round_id, stratum), numbers in strata.items() if len(numbers) < 2]
    _refuse(name, problems)
    return rows


def _number(value: str) -> float | None:
    """``12.5`` or ``12,5`` as a number; ``None`` when empty or not a number."""
    try:
        return float(value.replace(",", ".")) if value else None
    except ValueError:
        return None


def sampling_unit_choices(rows: list[dict]) -> list[dict]:
    """The household form's ``sampling_units.csv`` choice list of validated frame ``rows``: ``round:unit``, its
    name and round, filtered by commune in the form."""
    return [{"name": f"{r['round_id']}:{r['psu_code']}", "label": f"{r['psu_name']} ({r['round_id']})",
             "commune": r["commune_code"]} for r in rows]


def _clashes(uploads: Mapping[str, list[dict]], key: itemgetter) -> list[str]:
    """One message per pair of files that hold rows with the same key."""
    first: dict[tuple, tuple[str, int]] = {}
    pairs: dict[tuple[str, str], list] = {}  # (earlier file, later file) → [rows, a key, its row in each]
    for name, rows in uploads.items():
        for number, row in enumerate(rows, start=2):
            k = key(row)
            earlier, row_there = first.setdefault(k, (name, number))
            if earlier != name:
                pairs.setdefault((earlier, name), [0, k, row_there, number])[0] += 1
    return [text("reference.clash", a=a, b=b, n=n, key=" ".join(map(str, k)), ra=ra, rb=rb)
            for (a, b), (n, k, ra, rb) in pairs.items()]


def store_uploads(engine: Engine, kind: str, uploads: Mapping[str, list[dict]]) -> tuple[dict[str, str], bool]:
    """Make the rows of ``kind`` exactly those of ``uploads`` (file name → validated rows), the files now in the
    folder: a deleted file's rows are withdrawn, a file under any name brings its own. Returns each file's upload
    id and whether anything changed; refuses (nothing stored) when two files hold the same key.

    An upload id is the digest of the validated rows, not of the file's bytes: a spreadsheet saved again without
    changes (Excel rewrites its timestamps) is the same version.
    """
    model = MODELS[kind]
    clashes = _clashes(uploads, KEYS[kind])
    if clashes:
        raise ReferenceDataError(text("reference.clashes") + "; ".join(clashes), tuple(clashes))
    digests = {name: _digest(rows) for name, rows in uploads.items()}
    ids = {name: f"{kind}:{digest[:40]}" for name, digest in digests.items()}
    with engine.begin() as conn:
        stored = set(conn.execute(select(model.upload_id).distinct()).scalars())
        if stored == {ids[name] for name, rows in uploads.items() if rows}:
            return ids, False
        known = set(conn.execute(select(ReferenceUpload.upload_id)
                                 .where(ReferenceUpload.upload_id.in_(set(ids.values())))).scalars())
        for name, upload_id in ids.items():
            if upload_id not in known:
                known.add(upload_id)
                conn.execute(insert(ReferenceUpload).values(
                    upload_id=upload_id, kind=kind, file_name=name, content_sha256=digests[name],
                    rows=len(uploads[name]), loaded_at=utc_now()))
        conn.execute(delete(model))
        columns = {c.name for c in model.__table__.columns}
        rows = [{**{k: v for k, v in r.items() if k in columns}, "upload_id": ids[name]}
                for name, file_rows in uploads.items() for r in file_rows]
        if rows:
            conn.execute(insert(model), rows)
    return ids, True


def _digest(rows: list[dict]) -> str:
    return hashlib.sha256(json.dumps(rows, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def area_communes(units: AdminUnits, legacy: LegacyUnits, legacy_areas: set[tuple[str, str]]) -> list[dict]:
    """Membership of every reporting area: the nation, new provinces and communes, and the old units asked for."""
    rows = [{"area_level": "national", "area_code": "VN", "code_list_version": NATIONAL, "commune_code": c,
             "area_name": "Việt Nam", "exact": True} for c in units.communes]
    for c in units.communes.values():
        rows.append({"area_level": "province", "area_code": c.province_code, "code_list_version": units.code_list_version,
                     "commune_code": c.code, "area_name": units.provinces[c.province_code], "exact": True})
        rows.append({"area_level": "commune", "area_code": c.code, "code_list_version": units.code_list_version,
                     "commune_code": c.code, "area_name": c.name, "exact": True})
    sources = defaultdict(set)  # new commune → the old (province, commune) pairs it was formed from
    for r in legacy.rows:
        if r["commune"]:
            sources[r["commune"]].add((r["legacy_province_code"], r["legacy_code"]))
    for level, code in sorted(legacy_areas):
        if level == "province":
            members, name = legacy.new_communes_of_province(code), legacy.provinces[code]
            exact = {c: all(p == code for p, _ in sources[c]) for c in members}
        else:
            members, name = legacy.new_communes_of_commune(code), legacy.communes[code]
            exact = {c: all(lc == code for _, lc in sources[c]) for c in members}
        rows += [{"area_level": level, "area_code": code, "code_list_version": LEGACY, "commune_code": c,
                  "area_name": name, "exact": exact[c]} for c in sorted(members) if c in units.communes]
    return rows


def store_area_communes(engine: Engine, rows: list[dict]) -> None:
    with engine.begin() as conn:
        conn.execute(delete(AreaCommune))
        conn.execute(insert(AreaCommune), rows)


def legacy_commune_rows(legacy: LegacyUnits) -> list[dict]:
    return [{
        "legacy_code": r["legacy_code"], "commune_code": r["commune"], "legacy_name": r["legacy_name"],
        "legacy_district_code": r["legacy_district_code"] or None, "legacy_district_name": r["legacy_district_name"] or None,
        "legacy_province_code": r["legacy_province_code"], "legacy_province_name": r["legacy_province_name"],
        "province_code": r["province"] or None, "partly_merged": r["partly_merged"] == "true",
    } for r in legacy.rows]


def store_legacy_communes(engine: Engine, rows: list[dict]) -> None:
    with engine.begin() as conn:
        conn.execute(delete(LegacyCommune))
        conn.execute(insert(LegacyCommune), rows)
