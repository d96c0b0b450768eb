"""Reference data assets. Data managers drop spreadsheets into the uploads folder; the sensor picks them up.

The folder is the truth: each run makes the warehouse hold the rows of the files now there, or changes nothing.
"""

from pathlib import Path

import dagster as dg
from sqlalchemy import select

from dagster_project.metadata import table_metadata
from dagster_project.resources import ReferenceFiles, WarehouseResource
from warehouse import reference_data as ref
from warehouse.admin_units import load_admin_units
from warehouse.indicators import load_settings
from warehouse.models import AreaCommune, LegacyCommune, ReferencePopulation, Target

GROUP = "reference"


def _load(kind: str, files: dict[str, Path], validate, engine) -> dict:
    """Validate every file of ``kind`` (name → path), then make the warehouse hold exactly their rows; refuses with
    every problem of every file listed (nothing changes) if any is wrong."""
    columns = ref.TARGET_COLUMNS if kind == "targets" else ref.POPULATION_COLUMNS
    uploads, problems = {}, []
    for name, path in files.items():
        try:
            uploads[name] = validate(ref.read_table(path, columns), name)
        except ref.ReferenceDataError as exc:
            problems.append(str(exc))
    if problems:
        raise ref.ReferenceDataError("\n".join(problems))
    ids, changed = ref.store_uploads(engine, kind, uploads)
    loaded = [f"{name}: {len(rows)} rows ({ids[name]})" for name, rows in uploads.items()]
    return {"files": dg.MetadataValue.md("\n".join(f"- {line}" for line in loaded) or "none"), "changed": changed}


@dg.asset(group_name=GROUP, kinds={"csv"},
          description="Targets of the plans (shipped: Decision 782, Hà Nội, An Giang, Hưng Yên, Tân Thành) and "
                      "any targets spreadsheet a data manager uploaded, each tied to its jurisdiction and code list.")
def targets(warehouse: WarehouseResource, reference_files: ReferenceFiles) -> dg.MaterializeResult:
    engine = warehouse.engine()
    units, legacy = load_admin_units(), ref.load_legacy_units()
    indicator_ids = set(load_settings().names)
    files = {f"shipped/{ref.SHIPPED_TARGETS.name}": ref.SHIPPED_TARGETS,
             **{p.name: p for p in reference_files.files("targets")}}
    metadata = _load("targets", files, lambda f, n: ref.validate_targets(f, n, indicator_ids, units, legacy), engine)
    preview = select(Target.indicator_id, Target.jurisdiction_level, Target.jurisdiction_code,
                     Target.code_list_version, Target.year, Target.comparator, Target.value, Target.source_document)
    return dg.MaterializeResult(metadata={**table_metadata(engine, Target.__table__, preview), **metadata})


@dg.asset(group_name=GROUP, kinds={"csv"},
          description="Reference populations per area and year (teachers, caregivers, officials, enterprises …), "
                      "from the spreadsheets data managers upload: the denominators of indicators 2.x and 3.x.")
def reference_populations(warehouse: WarehouseResource, reference_files: ReferenceFiles) -> dg.MaterializeResult:
    engine = warehouse.engine()
    units, legacy = load_admin_units(), ref.load_legacy_units()
    metadata = _load("populations", {p.name: p for p in reference_files.files("populations")},
                     lambda f, n: ref.validate_populations(f, n, units, legacy), engine)
    preview = select(ReferencePopulation.area_level, ReferencePopulation.area_code, ReferencePopulation.year,
                     ReferencePopulation.population_group, ReferencePopulation.value)
    return dg.MaterializeResult(metadata={**table_metadata(engine, ReferencePopulation.__table__, preview), **metadata})


@dg.asset(group_name=GROUP, deps=[targets], kinds={"csv"},
          description="Old (pre-July-2025) communes and the new ones their territory went to, and the new communes "
                      "that make up each reporting area, old territories with targets included.")
def administrative_units(warehouse: WarehouseResource) -> dg.MaterializeResult:
    engine = warehouse.engine()
    units, legacy = load_admin_units(), ref.load_legacy_units()
    ref.store_legacy_communes(engine, ref.legacy_commune_rows(legacy))
    with engine.connect() as conn:
        legacy_areas = {(level, code) for level, code in conn.execute(
            select(Target.jurisdiction_level, Target.jurisdiction_code).where(Target.code_list_version == ref.LEGACY))}
    ref.store_area_communes(engine, ref.area_communes(units, legacy, legacy_areas))
    preview = (select(AreaCommune.area_level, AreaCommune.area_code, AreaCommune.area_name, AreaCommune.commune_code,
                      AreaCommune.exact).where(AreaCommune.code_list_version == ref.LEGACY))
    return dg.MaterializeResult(metadata={
        **table_metadata(engine, AreaCommune.__table__, preview),
        "legacy_communes": len(legacy.rows),
        "old_territories": dg.MetadataValue.json(sorted(f"{level} {code}" for level, code in legacy_areas)),
        "code_list_version": units.code_list_version,
        "legacy_table": LegacyCommune.__tablename__,
    })
