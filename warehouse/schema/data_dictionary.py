"""The data dictionary: every analyst table and column, described in Vietnamese and English once, in the models
(:func:`warehouse.schema.models.described`); written to PostgreSQL as ``COMMENT ON`` (Vietnamese, then English) and
rendered as ``docs/data-dictionary.md``:

    .venv/bin/python -m warehouse.schema.data_dictionary > docs/data-dictionary.md
"""

from __future__ import annotations

from sqlalchemy import Column, Engine, Table, bindparam, text
from sqlalchemy.schema import SetColumnComment, SetTableComment

from warehouse.schema.models import Base

ANALYST_TABLES = (
    "household", "child", "child_classification",
    "inspection", "young_worker", "young_worker_classification",
    "case_register", "case_visit", "case_service", "case_state_history", "case_report", "case_report_match",
    "activity", "activity_reach",
    "indicator_value", "approval", "data_quality_flag",
    "target", "reference_population", "sample_frame_unit", "area_commune", "legacy_commune",
    "reporting_expectation", "reporting_completeness",
    "programme_site", "indicator_responsibility", "budget_line",
)
LANGUAGES = ("vi", "en")

_CURRENT_COMMENTS = text("""
    SELECT c.relname, a.attname, col_description(c.oid, a.attnum)
    FROM pg_class c
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname IN :names
    UNION ALL
    SELECT c.relname, NULL, obj_description(c.oid, 'pg_class')
    FROM pg_class c
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname IN :names
""").bindparams(bindparam("names", expanding=True))


def analyst_tables() -> list[Table]:
    return [Base.metadata.tables[name] for name in ANALYST_TABLES]


def undescribed() -> list[str]:
    """Each analyst table (``table``) or column (``table.column``) without a description in every language."""
    missing = []
    for table in analyst_tables():
        for name, item in [(table.name, table), *((f"{table.name}.{c.name}", c) for c in table.columns)]:
            if not all(str(item.info.get(language) or "").strip() for language in LANGUAGES):
                missing.append(name)
    return missing


def write_comments(engine: Engine) -> None:
    """On PostgreSQL, make the comment of each analyst table and column that exists its description; only those
    that differ are written, so that a warehouse already described is left alone. Other backends have none."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        current = {(table, column): comment for table, column, comment
                   in conn.execute(_CURRENT_COMMENTS, {"names": list(ANALYST_TABLES)})}
        for table in analyst_tables():
            items = [(None, table, SetTableComment), *((c.name, c, SetColumnComment) for c in table.columns)]
            for column, item, statement in items:
                key = (table.name, column)
                if key in current and current[key] != item.comment:
                    conn.execute(statement(item))


def render_markdown() -> str:
    """``docs/data-dictionary.md``: each analyst table with its columns, type and descriptions."""
    lines = [
        "# Từ điển dữ liệu / Data dictionary",
        "",
        "Các bảng dành cho người phân tích trong kho dữ liệu, mỗi cột với mô tả tiếng Việt và tiếng Anh. "
        "Tệp này được tạo từ `warehouse/schema/models.py`; không sửa tay: "
        "`.venv/bin/python -m warehouse.schema.data_dictionary > docs/data-dictionary.md`. "
        "Trên PostgreSQL, các mô tả cũng là chú thích (`COMMENT ON`) của bảng và cột.",
        "",
        "The warehouse's analyst tables, each column described in Vietnamese and English. This file is generated "
        "from `warehouse/schema/models.py`; do not edit it by hand: "
        "`.venv/bin/python -m warehouse.schema.data_dictionary > docs/data-dictionary.md`. "
        "On PostgreSQL the descriptions are also the tables' and columns' comments (`COMMENT ON`).",
        "",
        "Mã (code) trong mô tả là giá trị được lưu; các danh mục mã đầy đủ ở trang `choices` của biểu mẫu trong "
        "`forms/`. Codes in the descriptions are the values stored; the full code lists are in the `choices` sheet "
        "of the forms in `forms/`.",
        "",
        *(f"- [`{table.name}`](#{table.name}): {table.info['vi']} / {table.info['en']}" for table in analyst_tables()),
    ]
    for table in analyst_tables():
        lines += ["", f"## {table.name}", "", table.info["vi"], "", f"*{table.info['en']}*", "",
                  "| cột / column | kiểu / type | mô tả | description |", "|---|---|---|---|"]
        lines += [f"| {_name(column)} | {column.type} | {_cell(column.info['vi'])} | {_cell(column.info['en'])} |"
                  for column in table.columns]
    return "\n".join(lines) + "\n"


def _name(column: Column) -> str:
    return f"`{column.name}` (khóa / key)" if column.primary_key else f"`{column.name}`"


def _cell(description: str) -> str:
    return description.replace("|", "\\|")


if __name__ == "__main__":
    print(render_markdown(), end="")
