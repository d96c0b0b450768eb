"""The clean assets of a form, one declaration each: its cleaning step writes its clean tables and its quarantine,
and each gets its materialization (row count, schema, a preview, what the step did)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import dagster as dg
from sqlalchemy import Engine, select

from dagster_project.messages import describe, labelled, step_sentence
from dagster_project.metadata import quarantine_metadata, table_metadata
from dagster_project.resources import WarehouseResource
from warehouse.clean.answers import Context
from warehouse.clean.steps import StepStats


@dataclass(frozen=True)
class CleanTable:
    """A clean table of the form: its asset, its model, the columns its preview shows (latest rows first, when the
    table keeps the raw change sequence), and any metadata of its own."""

    asset: str
    model: type
    preview: Sequence
    metadata: Callable[[Engine], dict] | None = None


def clean_assets(name: str, form_id: str, group: str, raw: dg.AssetsDefinition,
                 clean: Callable[[Engine, Context], StepStats], tables: Sequence[CleanTable],
                 quarantine: str) -> dg.AssetsDefinition:
    """``name``: the step that runs ``clean`` on the raw submissions of ``form_id`` and materializes ``tables``
    (the first one holds each submission's main row; the others hang from it) and the form's ``quarantine``."""
    first = tables[0].asset
    specs = [dg.AssetSpec(table.asset, group_name=group, deps=[raw] if table.asset == first else [first],
                          kinds={"python"}, description=describe(table.asset)) for table in tables]
    specs.append(dg.AssetSpec(quarantine, group_name=group, deps=[raw], kinds={"python"},
                              description=describe(quarantine)))

    @dg.multi_asset(name=name, group_name=group, specs=specs)
    def _assets(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        engine = warehouse.engine()
        stats = clean(engine, Context.of_form(warehouse.pseudonymizer, form_id))
        context.log.info(step_sentence("cleaned", stats))
        for table in tables:
            model = table.model
            preview = select(*table.preview)
            if hasattr(model, "change_seq"):
                preview = preview.order_by(model.change_seq.desc())
            step = {"step/processed": stats.processed, "step/deleted": stats.deleted} if table.asset == first else {}
            yield dg.MaterializeResult(asset_key=table.asset, metadata=labelled({
                **table_metadata(engine, model.__table__, preview), **step,
                "step/loaded": stats.loaded[model.__tablename__],
                **(table.metadata(engine) if table.metadata else {})}))
        yield dg.MaterializeResult(asset_key=quarantine, metadata=labelled(
            quarantine_metadata(engine, form_id, stats.quarantined)))

    return _assets
