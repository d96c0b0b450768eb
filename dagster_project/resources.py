"""The warehouse as a Dagster resource: its URL and the pseudonym key come from the environment."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

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


DEFAULT_REFERENCE_DIR = Path("var") / "reference_uploads"


class ReferenceFiles(dg.ConfigurableResource):
    """The folder where data managers drop reference spreadsheets: ``targets/`` and ``populations/``."""

    folder: str = Field(description="Folder with targets/ and populations/ sub-folders of .xlsx or .csv files")

    def files(self, kind: str) -> list[Path]:
        folder = Path(self.folder) / kind
        return sorted(p for p in folder.glob("*") if p.suffix.lower() in (".xlsx", ".csv")) if folder.exists() else []
