"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from connectors.demo import demo_communes, household_row
from connectors.forms import FORMS_DIR, definition
from connectors.odk_central import record_from_odata_row
from warehouse.classify.classification import load_rules
from warehouse.classify.classify import classify_children
from warehouse.clean import steps
from warehouse.clean.household import FORM_ID, Context
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.raw import raw_store
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.clean_links import LINKS, orphans
from warehouse.schema.db import alembic_config, make_engine, upgrade
from warehouse.schema.models import Base


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


def test_the_household_links_lose_their_foreign_keys_and_no_row(warehouse_url):
    """0006 drops the four foreign keys of a household's rows (warehouse.schema.clean_links) without losing a row, and
    its downgrade puts them back: on SQLite the tables are rebuilt, and a rebuild of ``child`` under a cascading
    key would have emptied the tables referring to it."""
    engine = make_engine(warehouse_url)
    upgrade(engine)
    communes = demo_communes(FORMS_DIR / "media" / "communes.csv")
    raw_store.store_records(engine, [record_from_odata_row(household_row(communes, n, 3), "1", FORM_ID)
                                     for n in range(30)])
    ctx = Context(Pseudonymizer("migration-test-key"), load_admin_units(),
                  definition(FORM_ID).codes)
    steps.clean_households(engine, ctx)
    classify_children(engine, load_rules())
    tables = {table for table, *_ in LINKS.values()}

    def state():
        with engine.connect() as conn:
            rows = {t.__tablename__: conn.execute(select(func.count()).select_from(t)).scalar() for t in tables}
            links = orphans(conn)
        keys = {t.__tablename__: [(k["constrained_columns"], k["referred_table"], k["options"].get("ondelete"))
                                  for k in inspect(engine).get_foreign_keys(t.__tablename__)] for t in tables}
        return rows, links, keys

    rows, links, keys = state()
    assert all(rows.values()) and not any(links.values()) and not any(keys.values())
    command.downgrade(alembic_config(engine), "0005")
    down_rows, _, down_keys = state()
    assert down_rows == rows
    assert all(len(k) == 1 and k[0][2] == "CASCADE" for k in down_keys.values()), down_keys
    upgrade(engine)
    assert state() == (rows, links, keys)
    engine.dispose()
