"""Reference data assets: one :class:`Upload` declaration each (targets, populations, expected reporting,
sample frames, the programme registers of ``warehouse.reference.programme_registers``), and the administrative
units. Data managers drop spreadsheets into the uploads folder; the sensor picks them up.

The folder is the truth: each run makes the warehouse hold the rows of the files now there, or changes nothing:
a refused upload fails the step with its problems, one a line, as the failure's description (what the UI and the
console show first), not as an exception's stack.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import dagster as dg
import pandas as pd
from sqlalchemy import Select, Table, select

from dagster_project.messages import area, describe, labelled, md_list, text
from dagster_project.metadata import table_metadata
from dagster_project.resources import ReferenceFiles, WarehouseResource
from warehouse.indicators.indicators import load_settings
from warehouse.reference import expected_reporting as expectations
from warehouse.reference import programme_registers as registers
from warehouse.reference import reference_data as ref
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.models import (
    AreaCommune,
    BudgetLine,
    IndicatorResponsibility,
    LegacyCommune,
    ProgrammeSite,
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
    return {"files": dg.MetadataValue.md(md_list(f"{line}: {ids[name]}" for name, line in loaded.items())),
            "changed": changed}


def refused(kind: str, problems) -> dg.Failure:
    """The failure of a refused upload: a sentence, then each problem on its own line."""
    lines = [f"- {p}" for p in problems]
    return dg.Failure(description="\n".join([text("refusal.reference", kind=text(f"log.{kind}")), *lines]),
                      metadata=labelled({"refused_files": dg.MetadataValue.md("\n".join(lines))}),
                      allow_retries=False)


class _Known:
    """What the validators check uploads against, each read when first asked for."""

    @cached_property
    def units(self):
        return load_admin_units()

    @cached_property
    def legacy(self):
        return ref.load_legacy_units()

    @cached_property
    def indicator_ids(self) -> set[str]:
        return set(load_settings().names)


@dataclass(frozen=True)
class Upload:
    """One kind of uploaded reference spreadsheet, stored by :func:`upload_asset`."""

    name: str  # the asset
    kind: str  # the uploads folder and the kind of rows (``COLUMNS``)
    validate: Callable[[pd.DataFrame, str, _Known], list[dict]]
    table: Table
    preview: Callable[[], Select]  # what the materialization shows of the stored rows
    shipped: dict[str, Path] = field(default_factory=dict)  # files that come with the code, loaded first
    check_all: Callable[[dict], None] | None = None  # the files together


def upload_asset(upload: Upload) -> dg.AssetsDefinition:
    """The asset that makes the warehouse hold the rows of ``upload``'s files (:func:`_load`)."""

    @dg.asset(name=upload.name, group_name=GROUP, kinds={"csv"}, description=describe(upload.name))
    def _asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
               reference_files: ReferenceFiles) -> dg.MaterializeResult:
        engine, known = warehouse.engine(), _Known()
        files = {**upload.shipped, **{p.name: p for p in reference_files.files(upload.kind)}}
        metadata = _load(context, upload.kind, files, lambda f, n: upload.validate(f, n, known), engine,
                         upload.check_all)
        return dg.MaterializeResult(metadata=labelled({**table_metadata(engine, upload.table, upload.preview()),
                                                       **metadata}))

    return _asset


t, p, e, u = Target, ReferencePopulation, ReportingExpectation, SampleFrameUnit
s, r, b = ProgrammeSite, IndicatorResponsibility, BudgetLine
targets, reference_populations, expected_reporting, sample_frame, programme_sites, indicator_responsibility, \
    budget_lines = (upload_asset(upload) for upload in (
        Upload("targets", "targets",
               lambda f, n, k: ref.validate_targets(f, n, k.indicator_ids, k.units, k.legacy), t.__table__,
               lambda: select(t.indicator_id, t.jurisdiction_level, t.jurisdiction_code, t.code_list_version,
                              t.year, t.comparator, t.value, t.source_document),
               shipped={f"shipped/{ref.SHIPPED_TARGETS.name}": ref.SHIPPED_TARGETS}),
        Upload("reference_populations", "populations",
               lambda f, n, k: ref.validate_populations(f, n, k.units, k.legacy), p.__table__,
               lambda: select(p.area_level, p.area_code, p.year, p.population_group, p.value)),
        Upload("expected_reporting", expectations.KIND,
               lambda f, n, k: expectations.validate(f, n, k.units), e.__table__,
               lambda: select(e.form_id, e.commune_code, e.period, e.deadline, e.expected).order_by(
                   e.period_start.desc(), e.form_id, e.commune_code),
               check_all=expectations.check_files_apart),
        Upload("sample_frame", "frames", lambda f, n, k: ref.validate_frame(f, n, k.units), u.__table__,
               lambda: select(u.round_id, u.design, u.stratum, u.commune_code, u.psu_code, u.households_listed)),
        Upload("programme_sites", registers.SITES,
               lambda f, n, k: registers.validate_sites(f, n, k.units, k.legacy), s.__table__,
               lambda: select(s.programme_id, s.site_kind, s.area_level, s.area_code, s.code_list_version,
                              s.valid_from, s.valid_to).order_by(s.programme_id, s.area_code)),
        Upload("indicator_responsibility", registers.RESPONSIBILITY,
               lambda f, n, k: registers.validate_responsibility(f, n, k.indicator_ids, k.units, k.legacy),
               r.__table__,
               lambda: select(r.jurisdiction_code, r.code_list_version, r.indicator_id, r.part, r.sector).order_by(
                   r.jurisdiction_code, r.indicator_id, r.part)),
        Upload("budget_lines", registers.BUDGET,
               lambda f, n, k: registers.validate_budget(f, n, k.units, k.legacy), b.__table__,
               lambda: select(b.area_level, b.area_code, b.year, b.activity_line, b.funding_source, b.allocated,
                              b.spent).order_by(b.area_code, b.year, b.activity_line)),
    ))


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
