"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from warehouse.db import make_engine, upgrade
from warehouse.models import Base


def test_migrations_match_models(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    upgrade(engine)  # a second upgrade is a no-op
    engine.dispose()


def test_indicator_value_keeps_its_rows_in_its_key_on_sqlite(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    upgrade(engine)
    with engine.connect() as conn:
        ddl = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'indicator_value'").scalar()
    assert ddl.rstrip().endswith("WITHOUT ROWID")
    engine.dispose()
