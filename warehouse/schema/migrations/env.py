"""Alembic environment: migrates the engine handed over by ``db.upgrade``, else the warehouse of the settings."""

from alembic import context

from warehouse.infra.settings import Settings
from warehouse.schema.db import make_engine
from warehouse.schema.models import Base

config = context.config
engine = config.attributes.get("engine") or make_engine(Settings.from_environment().warehouse_url)

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
