"""Alembic environment: migrates the engine handed over by ``db.upgrade`` (or ``CLMS_WAREHOUSE_URL``)."""

from alembic import context

from warehouse.schema.db import make_engine
from warehouse.schema.models import Base

config = context.config
engine = config.attributes.get("engine") or make_engine()

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
