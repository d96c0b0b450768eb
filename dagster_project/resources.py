"""The warehouse as a Dagster resource: its URL and the pseudonym key come from the environment."""

from __future__ import annotations

from contextlib import ExitStack
from functools import cached_property
from pathlib import Path

import dagster as dg
from pydantic import Field, PrivateAttr
from sqlalchemy import Engine

from dagster_project.messages import text
from warehouse.clean.pseudonym import Pseudonymizer, check_key
from warehouse.schema.db import WarehouseBusy, make_engine, upgrade, warehouse_lock


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse database (SQLite file or PostgreSQL), migrated to the latest schema on first use, and refused
    under a pseudonym key other than the one its ids were made with.

    A step that uses it holds the warehouse's lock of that step until the step ends (in a run's own process, until
    the next step takes its own): two runs at once never write the same step together; the second waits for the
    first, then goes on, or stops with a plain message past ``lock_wait_minutes``."""

    url: str = Field(description="SQLAlchemy URL, e.g. sqlite:////srv/warehouse.sqlite or postgresql+psycopg://…")
    pseudonym_key: str = Field(description="Secret key of the pseudonymous ids (set CLMS_PSEUDONYM_KEY).")
    lock_wait_minutes: float = Field(default=60, ge=0, description="How long a step waits while another run "
                                                                   "writes the same step into the warehouse")
    _engine: Engine | None = PrivateAttr(default=None)
    _step_lock: ExitStack = PrivateAttr(default_factory=ExitStack)
    _locked_step: str | None = PrivateAttr(default=None)

    def engine(self) -> Engine:
        if self._engine is None:
            engine = make_engine(self.url)
            upgrade(engine)
            check_key(engine, self.pseudonymizer)
            self._engine = engine
        self._hold_step_lock()
        return self._engine

    @cached_property
    def pseudonymizer(self) -> Pseudonymizer:
        return Pseudonymizer(self.pseudonym_key)

    def _hold_step_lock(self) -> None:
        """Within a step, hold its lock (after letting go of an earlier step's: never one held while waiting)."""
        try:
            context = dg.OpExecutionContext.get()
        except dg.DagsterInvariantViolationError:  # not in a step (a sensor reading the warehouse)
            return
        step = context.op.name
        if step == self._locked_step:
            return
        self._step_lock.close()
        self._locked_step = None
        wait = self.lock_wait_minutes
        try:
            self._step_lock.enter_context(warehouse_lock(
                self._engine, f"step-{step}", wait_seconds=wait * 60,
                on_wait=lambda: context.log.info(text("log.waiting", step=step, minutes=f"{wait:g}"))))
        except WarehouseBusy:
            raise dg.Failure(description=text("refusal.busy", step=step, minutes=f"{wait:g}"),
                             allow_retries=False) from None
        self._locked_step = step

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self._step_lock.close()
        self._locked_step = None
        if self._engine is not None:
            self._engine.dispose()


class ReferenceFiles(dg.ConfigurableResource):
    """The folder where data managers drop reference spreadsheets: ``targets/``, ``populations/``, ``approvals/``,
    ``expected_reporting/``, ``frames/`` (survey sample frames), ``programme_sites/``, ``responsible_sectors/``,
    ``budget_lines/`` (the programme registers), ``case_matches/`` (decisions on possible matches of case reports,
    read by the monitoring job)."""

    folder: str = Field(description="Folder with targets/, populations/, approvals/, expected_reporting/, frames/, "
                                    "programme_sites/, responsible_sectors/, budget_lines/ and case_matches/ "
                                    "sub-folders of .xlsx or .csv files")

    def files(self, kind: str) -> list[Path]:
        folder = Path(self.folder) / kind
        return sorted(p for p in folder.glob("*") if p.suffix.lower() in (".xlsx", ".csv")) if folder.exists() else []
