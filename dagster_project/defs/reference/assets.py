"""Reference data assets (the programme registers: ``registers``). Data managers drop spreadsheets into the uploads folder; the sensor picks them up.

The folder is the truth: each run makes the warehouse hold the rows of the files now there, or changes nothing:
a refused upload fails the step with its problems, one a line, as the failure's description (what the UI and the
console show first), not as an exception's stack.
"""

from pathlib import Path

import dagster as dg
from sqlalchemy import select

from dagster_project.messages import area, describe, labelled, text
from dagster_project.metadata import table_metadata
from dagster_project.resources import ReferenceFiles, WarehouseResource
from warehouse import expected_reporting as expectations
from warehouse import programme_registers as registers
from warehouse import reference_data as ref
from warehouse.admin_units import load_admin_units
from warehouse.indicators import load_settings
from warehouse.models import (
    AreaCommune,
    LegacyCommune,
    ReferencePopulation,
    ReportingExpectation,
    SampleFrameUnit,
    Target,
)

GROUP = "reference"


COLUMNS = {"targets": ref.TARGET_COLUMNS, "populations": ref.POPULATION_COLUMNS, "frames": ref.FRAME_COLUMNS,
           expectations.KIND: expectations.COLUMNS, **registers.COLUMNS}
OPTIONAL = {"targets": ref.TARGET_OPTIONAL}


def _load(context: dg.AssetExecutionContext, kind: str, files: dict[str, Path], validate, engine,
          check_all=None) -> dict:
    """Validate every file of ``kind`` (name → path) and the files together (``check_all``), then make the
    warehouse hold exactly their rows; refuses with every problem of every file listed (nothing changes) if any
    is wrong."""
    columns = COLUMNS[kind]
    uploads, problems = {}, []
    for name, path in files.items():
        try:
            uploads[name] = validate(ref.read_table(path, columns, OPTIONAL.get(kind, ())), name)
        except ref.ReferenceDataError as exc:
            problems += exc.problems
    if not problems:
        try:
            if check_all:
                check_all(uploads)
            ids, changed = ref.store_uploads(engine, kind, uploads)
        except ref.ReferenceDataError as exc:  # files that clash: the same key, or overlapping periods
            problems = exc.problems
    if problems:
        raise refused(kind, problems)
    loaded = {name: text("log.reference_file", name=name, rows=len(rows)) for name, rows in uploads.items()}
    context.log.info(text("log.reference_loaded", kind=text(f"log.{kind}"),
                          files="; ".join(loaded.values()) or text("log.no_files")))
    return {"files": dg.MetadataValue.md("\n".join(f"- {line}: {ids[name]}" for name, line in loaded.items())
                                         or text("log.nothing")),
            "changed": changed}


def refused(kind: str, problems) -> dg.Failure:
    """The failure of a refused upload: a sentence, then each problem on its own line."""
    lines = [f"- {p}" for p in problems]
    return dg.Failure(description="\n".join([text("refusal.reference", kind=text(f"log.{kind}")), *lines]),
                      metadata=labelled({"refused_files": dg.MetadataValue.md("\n".join(lines))}),
                      allow_retries=False)


@dg.asset(group_name=GROUP, kinds={"csv"}, description=describe("targets"))
def targets(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
            reference_files: ReferenceFiles) -> dg.MaterializeResult:
    engine = warehouse.engine()
    units, legacy = load_admin_units(), ref.load_legacy_units()
    indicator_ids = set(load_settings().names)
    files = {f"shipped/{ref.SHIPPED_TARGETS.name}": ref.SHIPPED_TARGETS,
             **{p.name: p for p in reference_files.files("targets")}}
    metadata = _load(context, "targets", files,
                     lambda f, n: ref.validate_targets(f, n, indicator_ids, units, legacy), engine)
    preview = select(Target.indicator_id, Target.jurisdiction_level, Target.jurisdiction_code,
                     Target.code_list_version, Target.year, Target.comparator, Target.value, Target.source_document)
    return dg.MaterializeResult(metadata=labelled({**table_metadata(engine, Target.__table__, preview), **metadata}))


@dg.asset(group_name=GROUP, kinds={"csv"}, description=describe("reference_populations"))
def reference_populations(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                          reference_files: ReferenceFiles) -> dg.MaterializeResult:
    engine = warehouse.engine()
    units, legacy = load_admin_units(), ref.load_legacy_units()
    metadata = _load(context, "populations", {p.name: p for p in reference_files.files("populations")},
                     lambda f, n: ref.validate_populations(f, n, units, legacy), engine)
    preview = select(ReferencePopulation.area_level, ReferencePopulation.area_code, ReferencePopulation.year,
                     ReferencePopulation.population_group, ReferencePopulation.value)
    return dg.MaterializeResult(metadata=labelled({
        **table_metadata(engine, ReferencePopulation.__table__, preview), **metadata}))


@dg.asset(group_name=GROUP, kinds={"csv"}, description=describe("expected_reporting"))
def expected_reporting(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                       reference_files: ReferenceFiles) -> dg.MaterializeResult:
    engine = warehouse.engine()
    units = load_admin_units()
    kind = expectations.KIND
    metadata = _load(context, kind, {p.name: p for p in reference_files.files(kind)},
                     lambda f, n: expectations.validate(f, n, units), engine, expectations.check_files_apart)
    e = ReportingExpectation
    preview = select(e.form_id, e.commune_code, e.period, e.deadline, e.expected).order_by(
        e.period_start.desc(), e.form_id, e.commune_code)
    return dg.MaterializeResult(metadata=labelled({**table_metadata(engine, e.__table__, preview), **metadata}))


@dg.asset(group_name=GROUP, kinds={"csv"}, description=describe("sample_frame"))
def sample_frame(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                 reference_files: ReferenceFiles) -> dg.MaterializeResult:
    engine = warehouse.engine()
    units = load_admin_units()
    metadata = _load(context, "frames", {p.name: p for p in reference_files.files("frames")},
                     lambda f, n: ref.validate_frame(f, n, units), engine)
    u = SampleFrameUnit
    preview = select(u.round_id, u.design, u.stratum, u.commune_code, u.psu_code, u.households_listed)
    return dg.MaterializeResult(metadata=labelled({**table_metadata(engine, u.__table__, preview), **metadata}))


@dg.asset(group_name=GROUP, deps=[targets], kinds={"csv"}, description=describe("administrative_units"))
def administrative_units(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    engine = warehouse.engine()
    units, legacy = load_admin_units(), ref.load_legacy_units()
    ref.store_legacy_communes(engine, ref.legacy_commune_rows(legacy))
    with engine.connect() as conn:
        legacy_areas = {(level, code) for level, code in conn.execute(
            select(Target.jurisdiction_level, Target.jurisdiction_code).where(Target.code_list_version == ref.LEGACY))}
    ref.store_area_communes(engine, ref.area_communes(units, legacy, legacy_areas))
    preview = (select(AreaCommune.area_level, AreaCommune.area_code, AreaCommune.area_name, AreaCommune.commune_code,
                      AreaCommune.exact).where(AreaCommune.code_list_version == ref.LEGACY))
    old_territories = [area(level, code, ref.LEGACY) for level, code in sorted(legacy_areas)]
    context.log.info(text("log.administrative_units", legacy=len(legacy.rows),
                          areas="; ".join(old_territories) or text("log.nothing")))
    return dg.MaterializeResult(metadata=labelled({
        **table_metadata(engine, AreaCommune.__table__, preview),
        "legacy_communes": len(legacy.rows),
        "old_territories": dg.MetadataValue.json(old_territories),
        "code_list_version": units.code_list_version,
        "legacy_table": LegacyCommune.__tablename__,
    }))
