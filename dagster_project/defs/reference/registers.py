"""The programme registers (``warehouse.programme_registers``): pilot and model sites, the sector responsible for
each indicator, budget lines. Uploaded, validated and stored like the other reference spreadsheets."""

import dagster as dg
from sqlalchemy import select

from dagster_project.defs.reference.assets import GROUP, _load
from dagster_project.messages import describe, labelled
from dagster_project.metadata import table_metadata
from dagster_project.resources import ReferenceFiles, WarehouseResource
from warehouse import programme_registers as registers
from warehouse import reference_data as ref
from warehouse.admin_units import load_admin_units
from warehouse.indicators import load_settings
from warehouse.models import BudgetLine, IndicatorResponsibility, ProgrammeSite


@dg.asset(group_name=GROUP, kinds={"csv"}, description=describe("programme_sites"))
def programme_sites(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                    reference_files: ReferenceFiles) -> dg.MaterializeResult:
    engine = warehouse.engine()
    units, legacy = load_admin_units(), ref.load_legacy_units()
    kind = registers.SITES
    metadata = _load(context, kind, {p.name: p for p in reference_files.files(kind)},
                     lambda f, n: registers.validate_sites(f, n, units, legacy), engine)
    s = ProgrammeSite
    preview = select(s.programme_id, s.site_kind, s.area_level, s.area_code, s.code_list_version, s.valid_from,
                     s.valid_to).order_by(s.programme_id, s.area_code)
    return dg.MaterializeResult(metadata=labelled({**table_metadata(engine, s.__table__, preview), **metadata}))


@dg.asset(group_name=GROUP, kinds={"csv"}, description=describe("indicator_responsibility"))
def indicator_responsibility(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                             reference_files: ReferenceFiles) -> dg.MaterializeResult:
    engine = warehouse.engine()
    units, legacy = load_admin_units(), ref.load_legacy_units()
    indicator_ids = set(load_settings().names)
    kind = registers.RESPONSIBILITY
    metadata = _load(context, kind, {p.name: p for p in reference_files.files(kind)},
                     lambda f, n: registers.validate_responsibility(f, n, indicator_ids, units, legacy), engine)
    r = IndicatorResponsibility
    preview = select(r.jurisdiction_code, r.code_list_version, r.indicator_id, r.part, r.sector).order_by(
        r.jurisdiction_code, r.indicator_id, r.part)
    return dg.MaterializeResult(metadata=labelled({**table_metadata(engine, r.__table__, preview), **metadata}))


@dg.asset(group_name=GROUP, kinds={"csv"}, description=describe("budget_lines"))
def budget_lines(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                 reference_files: ReferenceFiles) -> dg.MaterializeResult:
    engine = warehouse.engine()
    units, legacy = load_admin_units(), ref.load_legacy_units()
    kind = registers.BUDGET
    metadata = _load(context, kind, {p.name: p for p in reference_files.files(kind)},
                     lambda f, n: registers.validate_budget(f, n, units, legacy), engine)
    b = BudgetLine
    preview = select(b.area_level, b.area_code, b.year, b.activity_line, b.funding_source, b.allocated,
                     b.spent).order_by(b.area_code, b.year, b.activity_line)
    return dg.MaterializeResult(metadata=labelled({**table_metadata(engine, b.__table__, preview), **metadata}))
