"""Where submissions come from: ODK Central, or the bundled demo data. Chosen by configuration."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import dagster as dg
from pydantic import Field

from connectors.demo import demo_communes, household_rows
from connectors.odk_central.odata import record_from_odata_row
from connectors.records import SubmissionRecord
from warehouse.admin_units import forms_dir


class SyncRun(Protocol):
    """One sync of one form: the records, then the cursor to save once all of them are stored."""

    def records(self) -> Iterator[SubmissionRecord]: ...

    @property
    def cursor(self) -> dict: ...


class SubmissionSource(dg.ConfigurableResource):
    """A platform that serves form submissions."""

    def describe(self) -> dict[str, str]:
        raise NotImplementedError

    @property
    def source_name(self) -> str:
        raise NotImplementedError

    @property
    def project_key(self) -> str:
        raise NotImplementedError

    def open_sync(self, form_id: str, cursor: dict | None) -> SyncRun:
        raise NotImplementedError


class _DemoRun:
    def __init__(self, rows: list[dict], form_id: str):
        self._rows, self._form_id = rows, form_id

    def records(self) -> Iterator[SubmissionRecord]:
        for row in self._rows:
            yield record_from_odata_row(row, project="demo", form_id=self._form_id, source="demo")

    @property
    def cursor(self) -> dict:
        return {"rows": len(self._rows)}


class DemoSource(SubmissionSource):
    """The bundled demo data: deterministic household-survey submissions in ODK Central's OData shape."""

    households: int = Field(default=1500, description="How many household submissions to generate.")
    seed: int = Field(default=2026, description="Random seed: the same seed gives the same submissions.")

    @property
    def source_name(self) -> str:
        return "demo"

    @property
    def project_key(self) -> str:
        return "demo"

    def describe(self) -> dict[str, str]:
        return {"source": "demo", "households": str(self.households), "seed": str(self.seed)}

    def open_sync(self, form_id: str, cursor: dict | None) -> SyncRun:
        communes = demo_communes(forms_dir() / "media" / "communes.csv")
        return _DemoRun(list(household_rows(communes, self.households, self.seed)), form_id)
