"""Reference data maintained by data managers: targets, reference populations, old→new administrative units.

Targets and populations come as spreadsheets (``.xlsx`` or ``.csv``) with fixed columns; a file is validated
whole (every problem listed, with its row) and stored whole, or refused. Each file is versioned by its content.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, delete, insert, select

from warehouse.admin_units import AdminUnits, forms_dir
from warehouse.models import AreaCommune, LegacyCommune, ReferencePopulation, ReferenceUpload, Target
from warehouse.raw_store import utc_now

SHIPPED_TARGETS = Path(__file__).with_name("reference") / "targets.csv"
NATIONAL, LEGACY = "national", "vn-legacy"
LEVELS = ("national", "province", "commune")
COMPARATORS = ("<", "<=", ">=", ">", "minimise")
POPULATION_GROUPS = (
    "teachers_staff", "caregivers", "children_5_17", "provincial_district_officials", "commune_officials",
    "child_protection_staff", "enterprises", "cooperatives", "craft_village_households",
)
TARGET_COLUMNS = ("indicator_id", "jurisdiction_level", "jurisdiction_code", "code_list_version",
                  "jurisdiction_name", "year", "comparator", "value", "source_document", "note")
POPULATION_COLUMNS = ("area_level", "area_code", "code_list_version", "year", "population_group", "value", "source")


class ReferenceDataError(ValueError):
    """A reference file that cannot be loaded; the message lists every problem with its row."""


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
    with open((media or forms_dir() / "media") / "legacy_communes.csv", encoding="utf-8", newline="") as f:
        rows = tuple(csv.DictReader(f))
    return LegacyUnits(
        provinces={r["legacy_province_code"]: r["legacy_province_name"] for r in rows},
        communes={r["legacy_code"]: r["legacy_name"] for r in rows},
        rows=rows,
    )


def read_table(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """A spreadsheet's first sheet (or a UTF-8 CSV) as strings, with exactly the expected columns."""
    try:
        if path.suffix.lower() == ".xlsx":
            frame = pd.read_excel(path, dtype=str, engine="openpyxl")
        elif path.suffix.lower() == ".csv":
            frame = pd.read_csv(path, dtype=str, encoding="utf-8", keep_default_na=False)
        else:
            raise ReferenceDataError(f"{path.name}: expected an .xlsx or .csv file")
    except UnicodeDecodeError:
        raise ReferenceDataError(f"{path.name}: not UTF-8 text; save the CSV as UTF-8") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ReferenceDataError(f"{path.name}: missing columns {', '.join(missing)} (expected {', '.join(columns)})")
    return frame[list(columns)].fillna("").map(lambda v: str(v).strip())


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


def validate_targets(frame: pd.DataFrame, name: str, indicator_ids: set[str], units: AdminUnits,
                     legacy: LegacyUnits) -> list[dict]:
    problems, rows = [], []
    for number, row in enumerate(frame.to_dict("records"), start=2):
        here = f"row {number}"
        if row["indicator_id"] not in indicator_ids:
            problems.append(f"{here}: unknown indicator {row['indicator_id']!r}")
        if row["jurisdiction_level"] not in LEVELS:
            problems.append(f"{here}: jurisdiction_level must be one of {', '.join(LEVELS)}")
        elif not _area_known(row["jurisdiction_level"], row["jurisdiction_code"], row["code_list_version"], units, legacy):
            problems.append(f"{here}: {row['jurisdiction_level']} {row['jurisdiction_code']!r} is not in code list "
                            f"{row['code_list_version']!r} (use {NATIONAL}/VN, {units.code_list_version} or {LEGACY})")
        if row["comparator"] not in COMPARATORS:
            problems.append(f"{here}: comparator must be one of {' '.join(COMPARATORS)}")
        if not row["year"].isdigit() or not 2000 <= int(row["year"]) <= 2100:
            problems.append(f"{here}: year must be a year such as 2025")
        value = None
        if row["comparator"] != "minimise":
            try:
                value = float(row["value"].replace(",", ".").rstrip("%")) / (100 if row["value"].endswith("%") else 1)
                if not 0 <= value <= 1:
                    raise ValueError
            except ValueError:
                problems.append(f"{here}: value must be a share between 0 and 1 (or a percentage like 90%)")
        if not row["source_document"]:
            problems.append(f"{here}: source_document is required")
        rows.append({**row, "year": int(row["year"]) if row["year"].isdigit() else 0, "value": value,
                     "note": row["note"] or None})
    keys = [(r["indicator_id"], r["jurisdiction_level"], r["jurisdiction_code"], r["code_list_version"], r["year"])
            for r in rows]
    duplicates = {k for k in keys if keys.count(k) > 1}
    problems += [f"duplicate target for {k[0]} {k[1]} {k[2]} {k[4]}" for k in sorted(duplicates)]
    if problems:
        raise ReferenceDataError(f"{name}: " + "; ".join(problems))
    return rows


def validate_populations(frame: pd.DataFrame, name: str, units: AdminUnits, legacy: LegacyUnits) -> list[dict]:
    problems, rows = [], []
    for number, row in enumerate(frame.to_dict("records"), start=2):
        here = f"row {number}"
        if row["area_level"] not in LEVELS:
            problems.append(f"{here}: area_level must be one of {', '.join(LEVELS)}")
        elif not _area_known(row["area_level"], row["area_code"], row["code_list_version"], units, legacy):
            problems.append(f"{here}: {row['area_level']} {row['area_code']!r} is not in code list "
                            f"{row['code_list_version']!r}")
        if row["population_group"] not in POPULATION_GROUPS:
            problems.append(f"{here}: population_group must be one of {', '.join(POPULATION_GROUPS)}")
        if not row["year"].isdigit():
            problems.append(f"{here}: year must be a year such as 2026")
        if not row["value"].replace(".0", "").isdigit() or int(float(row["value"])) <= 0:
            problems.append(f"{here}: value must be a whole number above 0")
        rows.append({**row, "year": int(row["year"]) if row["year"].isdigit() else 0,
                     "value": int(float(row["value"])) if row["value"].replace(".0", "").isdigit() else 0,
                     "source": row["source"] or None})
    keys = [(r["area_level"], r["area_code"], r["code_list_version"], r["year"], r["population_group"]) for r in rows]
    problems += [f"duplicate row for {' '.join(map(str, k))}" for k in sorted({k for k in keys if keys.count(k) > 1})]
    if problems:
        raise ReferenceDataError(f"{name}: " + "; ".join(problems))
    return rows


def store_upload(engine: Engine, kind: str, path: Path, rows: list[dict]) -> tuple[str, bool]:
    """Replace the rows of this file's earlier versions with ``rows``; (upload id, whether anything changed).

    The version is the digest of the validated rows, not of the file's bytes: a spreadsheet saved again without
    changes (Excel rewrites its timestamps) is the same version.
    """
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
    upload_id = f"{kind}:{digest[:40]}"
    model = {"targets": Target, "populations": ReferencePopulation}[kind]
    with engine.begin() as conn:
        if conn.execute(select(ReferenceUpload.upload_id).where(ReferenceUpload.upload_id == upload_id)).first():
            return upload_id, False
        earlier = conn.execute(select(ReferenceUpload.upload_id).where(
            ReferenceUpload.kind == kind, ReferenceUpload.file_name == path.name)).scalars().all()
        if earlier:
            conn.execute(delete(model).where(model.upload_id.in_(earlier)))
        columns = {c.name for c in model.__table__.columns}
        conn.execute(insert(ReferenceUpload).values(upload_id=upload_id, kind=kind, file_name=path.name,
                                                    content_sha256=digest, rows=len(rows), loaded_at=utc_now()))
        if rows:
            conn.execute(insert(model), [{**{k: v for k, v in r.items() if k in columns}, "upload_id": upload_id}
                                         for r in rows])
    return upload_id, True


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
