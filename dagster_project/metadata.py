"""Materialization metadata: row counts, column schemas and Markdown previews."""

from __future__ import annotations

import dagster as dg
from sqlalchemy import Engine, Select, Table, func, select


def column_schema(table: Table) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[dg.TableColumn(c.name, str(c.type), description=c.comment) for c in table.columns]
    )


def row_count(engine: Engine, table: Table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def markdown_preview(engine: Engine, query: Select, limit: int = 10) -> dg.MetadataValue:
    """The first ``limit`` rows of ``query`` as a Markdown table."""
    with engine.connect() as conn:
        result = conn.execute(query.limit(limit))
        header, rows = list(result.keys()), result.all()
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return dg.MetadataValue.md("\n".join(lines))


def table_metadata(engine: Engine, table: Table, preview: Select | None = None) -> dict:
    """Row count, column schema and (optionally) a preview of ``table``."""
    metadata = {
        "dagster/row_count": row_count(engine, table),
        "dagster/column_schema": column_schema(table),
        "table": dg.MetadataValue.text(table.name),
    }
    if preview is not None:
        metadata["preview"] = markdown_preview(engine, preview)
    return metadata
