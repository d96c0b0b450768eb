"""The raw-submissions asset of a form: pull from the form's source, upsert exactly as received, save the cursor."""

from collections.abc import Sequence

import dagster as dg
from sqlalchemy import func, select

from dagster_project.messages import describe, labelled, md_table, text
from dagster_project.metadata import table_metadata
from dagster_project.resources import WarehouseResource
from dagster_project.sources import SubmissionSource, source_metadata
from warehouse.clean.review_states import load_review_policy, review_summary
from warehouse.raw import raw_store
from warehouse.raw.stored_submissions import WarehouseSubmissions
from warehouse.schema.models import RawSubmission


def source_key(form_id: str) -> str:
    """The resource key of a form's source: each form can come from its own platform."""
    return f"{form_id}_source"


def refused_now(before: dict | None, after: dict) -> list[dict]:
    """The export files refused by this sync (``file``, and ``reason`` in the current language, from the catalogue's
    ``[file_refused]``): in the new cursor's ``refused`` and not, with the same limits, in the one before
    (:class:`~connectors.sources.ExportFiles`)."""
    earlier = before.get("refused", {}) if isinstance(before, dict) else {}
    now = after.get("refused", {}) if isinstance(after, dict) else {}
    return [{"file": entry["file"], "reason": text(f"file_refused.{entry['code']}", **entry["params"])}
            for digest, entry in now.items() if earlier.get(digest) != entry]


def raw_submissions_asset(form_id: str, group: str, *, deps: Sequence[str] = ()) -> dg.AssetsDefinition:
    """``raw_<form_id>``: every submission of the form, upserted on its stable id with its form version.

    ``deps``: assets to run before, besides the published form.
    """

    @dg.asset(name=f"raw_{form_id}", group_name=group, deps=[f"{form_id}_form", *deps], kinds={"python"},
              required_resource_keys={"warehouse", source_key(form_id)},
              description=describe("raw_submissions", form_id=form_id))
    def _raw(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        warehouse: WarehouseResource = context.resources.warehouse
        engine = warehouse.engine()
        resource: SubmissionSource = getattr(context.resources, source_key(form_id))
        source = resource.source(engine)
        project = source.project_key
        cursor = raw_store.read_cursor(engine, source.name, project, form_id)
        stored = WarehouseSubmissions(engine, source.name, project, form_id)
        run = source.open_sync(form_id, cursor, stored)
        stats = raw_store.store_records(engine, run)
        raw_store.save_cursor(engine, source.name, project, form_id, run.cursor, stats.as_dict())
        context.log.info(text("log.synced", form_id=form_id, source=source.name, **stats.as_dict()))
        for refused in refused_now(cursor, run.cursor):
            context.log.warning(text("log.file_refused", form_id=form_id, **refused))
        with engine.connect() as conn:
            live, deleted, last = conn.execute(
                select(func.count().filter(RawSubmission.deleted_at.is_(None)),
                       func.count().filter(RawSubmission.deleted_at.is_not(None)),
                       func.max(RawSubmission.submitted_at))
                .where(RawSubmission.form_id == form_id)
            ).one()
            reviews = review_summary(conn, form_id, load_review_policy())
        preview = (select(RawSubmission.source, RawSubmission.instance_id, RawSubmission.form_version,
                          RawSubmission.submitted_at, RawSubmission.updated_at, RawSubmission.deleted_at,
                          RawSubmission.review_state)
                   .where(RawSubmission.form_id == form_id).order_by(RawSubmission.change_seq.desc()))
        return dg.MaterializeResult(metadata=labelled({
            **table_metadata(engine, RawSubmission.__table__, preview, RawSubmission.form_id == form_id),
            **{f"sync/{k}": v for k, v in stats.as_dict().items()},
            **source_metadata(source),
            "live_submissions": live,
            "deleted_submissions": deleted,
            "review_states": dg.MetadataValue.md(md_table(  # what the clean step does with each (review_states.toml)
                ["platform", "review_state", "policy", "submissions"],
                [(r["platform"], r["state"], r["policy"], r["submissions"]) for r in reviews])),
            "last_submission": last or "",
            "cursor": dg.MetadataValue.json(run.cursor),
        }))

    return _raw


def form_asset(form_id: str) -> dg.AssetsDefinition:
    """``<form_id>_form``: materializing it publishes ``forms/<form_id>.xlsx`` with its media files."""
    from connectors.forms import FORMS_DIR

    @dg.asset(name=f"{form_id}_form", group_name="forms", kinds={"xlsform"},
              required_resource_keys={source_key(form_id)},
              description=describe("form", form_id=form_id))
    def _form(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        resource: SubmissionSource = getattr(context.resources, source_key(form_id))
        source = resource.source()
        result = source.publish_form(FORMS_DIR / f"{form_id}.xlsx", FORMS_DIR / "media")
        context.log.info(text("log.published_form", **result))
        return dg.MaterializeResult(metadata=labelled({**result, **source_metadata(source)}))

    return _form
