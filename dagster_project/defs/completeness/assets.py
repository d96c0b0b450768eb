"""The completeness table, rebuilt from the expected reporting and the clean tables, summarised for the Dagster UI
in the data manager's language (``CLMS_LANGUAGE``: vi by default, en)."""

import dagster as dg
from sqlalchemy import select

from dagster_project.messages import describe, labelled, text
from dagster_project.metadata import table_metadata
from dagster_project.resources import WarehouseResource
from warehouse.indicators.disclosure import load_policy
from warehouse.infra.settings import Settings
from warehouse.quality.completeness import build_completeness, store_completeness, today_in_vietnam
from warehouse.report.completeness import sentence, summarise_completeness
from warehouse.report.formatting import Formatter
from warehouse.report.labels import Labels
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.models import ReportingCompleteness

NAMED = 100  # late or missing reports named in the metadata; the table has them all


@dg.asset(group_name="completeness", deps=["expected_reporting", "activities", "households", "inspections"],
          kinds={"python"}, description=describe("reporting_completeness"))
def reporting_completeness(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    engine = warehouse.engine()
    as_of = today_in_vietnam()
    store_completeness(engine, build_completeness(engine, load_admin_units(), as_of))
    summary = summarise_completeness(engine)
    f = Formatter(Labels(Settings.from_environment().language), load_policy().min_count)
    counts = {f.labels(f"reporting_{status}"): n for status, n in summary.counts()}
    context.log.info(text("log.completeness", date=f.date(as_of),
                          counts=", ".join(f"{word}: {n}" for word, n in counts.items())))
    c = ReportingCompleteness
    preview = select(c.form_id, c.period, c.commune_code, c.commune_name, c.expected, c.received, c.deadline,
                     c.status).where(c.status.in_(["missing", "late"])).order_by(c.period_start.desc(), c.commune_code)
    return dg.MaterializeResult(metadata=labelled({
        **table_metadata(engine, c.__table__, preview),
        "as_of": as_of.isoformat(),
        "by_status": dg.MetadataValue.json(counts),
        **{status: dg.MetadataValue.md(_listed(summary.of_status(status), f)) for status in ("late", "missing")},
    }))


def _listed(rows, f: Formatter) -> str:
    """One line per report, the first ``NAMED`` of them, as a Markdown list."""
    lines = [f"- {sentence(f.labels, r, f.date)}" for r in rows[:NAMED]]
    if len(rows) > NAMED:
        lines.append(f"- {f.labels('and_more', n=f.integer(len(rows) - NAMED))}")
    return "\n".join(lines) or f.labels("nobody")
