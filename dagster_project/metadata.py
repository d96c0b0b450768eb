"""Materialization metadata: row counts, column schemas and Markdown previews."""

from __future__ import annotations

from collections import Counter

import dagster as dg
from sqlalchemy import ColumnElement, Engine, Select, Table, func, select

from dagster_project.messages import md_table, reason
from warehouse.schema.models import Quarantine


def column_schema(table: Table) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[dg.TableColumn(c.name, str(c.type), description=c.comment) for c in table.columns]
    )


def row_count(engine: Engine, table: Table, where: ColumnElement[bool] | None = None) -> int:
    query = select(func.count()).select_from(table)
    with engine.connect() as conn:
        return conn.execute(query if where is None else query.where(where)).scalar_one()


def markdown_preview(engine: Engine, query: Select, limit: int = 10) -> dg.MetadataValue:
    """The first ``limit`` rows of ``query`` as a Markdown table."""
    with engine.connect() as conn:
        result = conn.execute(query.limit(limit))
        header, rows = list(result.keys()), result.all()
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return dg.MetadataValue.md("\n".join(lines))


def table_metadata(engine: Engine, table: Table, preview: Select | None = None,
                   where: ColumnElement[bool] | None = None) -> dict:
    """Row count, column schema and (optionally) a preview of ``table``. ``where``: the asset's part of a shared
    table (one form's raw submissions or quarantine), which the count is of."""
    metadata = {
        "dagster/row_count": row_count(engine, table, where),
        "dagster/column_schema": column_schema(table),
        "table": dg.MetadataValue.text(table.name),
    }
    if preview is not None:
        metadata["preview"] = markdown_preview(engine, preview)
    return metadata


def quarantine_metadata(engine: Engine, form_id: str, quarantined: Counter) -> dict:
    """A form's quarantine asset: its rows, the latest with their reasons (never the values, which may hold what a
    collector typed), how many rows each reason holds, in words, and what this run quarantined."""
    q, mine = Quarantine, Quarantine.form_id == form_id
    preview = select(q.entity, q.repeat_index, q.field, q.reason_code, q.reason).where(mine).order_by(
        q.change_seq.desc())
    with engine.connect() as conn:
        by_reason = conn.execute(select(q.reason_code, func.count()).where(mine).group_by(q.reason_code)
                                 .order_by(func.count().desc(), q.reason_code)).all()
    return {**table_metadata(engine, q.__table__, preview, mine),
            "reasons": dg.MetadataValue.md(md_table(["reason", "rows"], [(reason(c), n) for c, n in by_reason])),
            "step/quarantined": dg.MetadataValue.json(dict(quarantined))}
