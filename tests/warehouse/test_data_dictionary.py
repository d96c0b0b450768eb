"""The data dictionary: every analyst table and column described in Vietnamese and English, the committed
``docs/data-dictionary.md`` current, the descriptions written to PostgreSQL as comments and shown in Dagster."""

from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import event, text

from dagster_project.defs.reference.assets import targets
from dagster_project.resources import ReferenceFiles, WarehouseResource
from tests.conftest import TEST_PSEUDONYM_KEY
from warehouse.schema.data_dictionary import (
    ANALYST_TABLES,
    analyst_tables,
    render_markdown,
    undescribed,
    write_comments,
)
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import Base, Child, Household, Target

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-dictionary.md"
POSTGRES_ONLY = pytest.mark.parametrize(
    "warehouse_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
COMMENTS = text("""
    SELECT c.relname, a.attname, d.description
    FROM pg_description d
    JOIN pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_class'::regclass
    LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
    WHERE c.relnamespace = current_schema()::regnamespace
""")


def test_every_analyst_table_and_column_is_described_in_both_languages():
    assert set(ANALYST_TABLES) <= set(Base.metadata.tables)
    assert undescribed() == []


def test_a_missing_description_is_found(monkeypatch):
    monkeypatch.setitem(Household.__table__.c.livelihood.info, "en", " ")
    monkeypatch.delitem(Child.__table__.info, "vi")
    assert undescribed() == ["household.livelihood", "child"]


def test_the_committed_data_dictionary_is_current():
    assert DOC.read_text(encoding="utf-8") == render_markdown(), \
        "docs/data-dictionary.md is out of date: .venv/bin/python -m warehouse.schema.data_dictionary > docs/data-dictionary.md"


def test_the_data_dictionary_covers_every_analyst_column():
    document = render_markdown()
    for table in analyst_tables():
        section = document.split(f"\n## {table.name}\n", 1)[1].split("\n## ", 1)[0]
        rows = [line for line in section.splitlines() if line.startswith("| `")]
        assert [row.split("`")[1] for row in rows] == [c.name for c in table.columns]
        assert all(c.info["vi"] in section and c.info["en"] in section for c in table.columns)


@POSTGRES_ONLY
def test_postgresql_comments_are_the_descriptions(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    expected = {(t.name, None): f"{t.info['vi']}\n{t.info['en']}" for t in analyst_tables()}
    expected |= {(t.name, c.name): f"{c.info['vi']}\n{c.info['en']}" for t in analyst_tables() for c in t.columns}

    def comments() -> dict:
        with engine.connect() as conn:
            return {(table, column): comment for table, column, comment in conn.execute(COMMENTS)}

    assert comments() == expected  # every analyst table and column, and nothing else

    with engine.begin() as conn:
        conn.execute(text("COMMENT ON COLUMN household.year IS 'stale'"))
        conn.execute(text("COMMENT ON TABLE child IS NULL"))
    written = []
    event.listen(engine, "before_cursor_execute", lambda _conn, _cursor, statement, *_: written.append(statement))
    upgrade(engine)  # already at the head: no migration, but the descriptions are written again
    assert comments() == expected
    assert sorted(s.split(" IS ")[0] for s in written if s.startswith("COMMENT")) == [
        "COMMENT ON COLUMN household.year", "COMMENT ON TABLE child"]
    assert not [s for s in written if s.lstrip().upper().startswith(("CREATE", "ALTER", "UPDATE alembic_version"))]
    written.clear()
    write_comments(engine)  # already described: nothing written
    assert [s for s in written if s.startswith("COMMENT")] == []
    engine.dispose()


def test_dagster_column_schema_shows_the_descriptions(tmp_path):
    warehouse = WarehouseResource(url=f"sqlite:///{tmp_path / 'warehouse.sqlite'}", pseudonym_key=TEST_PSEUDONYM_KEY)
    result = dg.materialize([targets], resources={"warehouse": warehouse,
                                                  "reference_files": ReferenceFiles(folder=str(tmp_path))})
    schema = result.asset_materializations_for_node("targets")[0].metadata["dagster/column_schema"].value
    assert {c.name: c.description for c in schema.columns} == {
        c.name: f"{c.info['vi']}\n{c.info['en']}" for c in Target.__table__.columns}
