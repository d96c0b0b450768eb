"""The warehouse as a Dagster resource: its URL and the pseudonym key come from the environment."""

from __future__ import annotations

from functools import cached_property

import dagster as dg
from pydantic import Field, PrivateAttr
from sqlalchemy import Engine

from warehouse.db import make_engine, upgrade
from warehouse.pseudonym import Pseudonymizer


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse database (SQLite file or PostgreSQL), migrated to the latest schema on first use."""

    url: str = Field(description="SQLAlchemy URL, e.g. sqlite:///var/warehouse.sqlite or postgresql+psycopg://…")
    pseudonym_key: str = Field(description="Secret key of the pseudonymous ids (set CLMS_PSEUDONYM_KEY).")
    _engine: Engine | None = PrivateAttr(default=None)

    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.url)
            upgrade(self._engine)
        return self._engine

    @cached_property
    def pseudonymizer(self) -> Pseudonymizer:
        return Pseudonymizer(self.pseudonym_key)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._engine is not None:
            self._engine.dispose()
