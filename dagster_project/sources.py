"""The Dagster resources that configure where a form's submissions come from. Each only holds settings and builds
the plain source of :mod:`connectors.sources` (:meth:`SubmissionSource.source`), which does the work."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dagster as dg
from pydantic import Field
from sqlalchemy import Engine

from connectors import sources
from connectors.exports import ImportLimits
from connectors.http import HttpSettings
from connectors.kobotoolbox.sync import RECENT
from warehouse.cases.case_register import open_cases
from warehouse.infra.settings import Settings


class SubmissionSource(dg.ConfigurableResource):
    """The settings of a platform that serves form submissions."""

    def source(self, warehouse: Engine | None = None) -> sources.Source:
        """The source these settings describe. ``warehouse``: only the demo reads it, for the open cases its
        collectors visit (none without it)."""
        raise NotImplementedError


class DemoSource(SubmissionSource):
    """The bundled demo data: deterministic submissions of every form in ODK Central's OData shape; the case list
    is written to ``Settings.case_list``."""

    households: int = Field(default=1500, description="How many household submissions to generate.")
    inspections: int = Field(default=300, description="How many workplace inspections to generate.")
    seed: int = Field(default=2026, description="Random seed: the same seed gives the same submissions.")

    def source(self, warehouse: Engine | None = None) -> sources.DemoData:
        return sources.DemoData(case_list_csv=Settings.from_environment().case_list, households=self.households,
                                inspections=self.inspections, seed=self.seed,
                                open_cases=tuple if warehouse is None else lambda: open_cases(warehouse))


class _HttpSource(SubmissionSource):
    read_timeout: float = Field(default=120.0, description="Seconds to wait for a response")
    max_tries: int = Field(default=5, description="Tries of a request before giving up")
    backoff_factor: float = Field(default=1.0, description="Backoff between tries: 0, 2, 4, 8 … × this, seconds")

    def _http(self) -> HttpSettings:
        return HttpSettings(read_timeout=self.read_timeout, max_tries=self.max_tries,
                            backoff_factor=self.backoff_factor)


class OdkCentralSource(_HttpSource):
    """An ODK Central server: a Project Viewer can pull submissions; publishing forms and creating the `cases`
    entities need a Project Manager (with a Project Viewer, ``case_list`` warns that the list was not published).

    Every run reads what changed since the last one. Purges and restores move no timestamp: they are found by
    comparing the ids stored as live with the server's, at most once per ``reconcile_every_hours`` (the time of
    the last comparison is in the sync cursor), or at the next run with ``force_reconcile``."""

    base_url: str = Field(description="Server address, e.g. https://central.example.org")
    email: str = Field(description="Web user's email (Project Viewer, or Project Manager to publish)")
    password: str = Field(description="Web user's password: set it through an environment variable")
    project_id: int = Field(description="Numeric project id, as in /v1/projects/{id}")
    page_size: int | None = Field(
        default=None, description="Rows per OData query, in submissionDate windows; none: one query, its answer "
                                  "read as it arrives (memory bounded by a read)")
    overlap_seconds: int = Field(default=300, description="How far back each incremental query re-reads")
    reconcile_every_hours: float = Field(
        default=24.0, ge=0,
        description="Compare the stored submission ids with the server's (to see purges and restores) at most once "
                    "per this many hours; 0: every run")
    force_reconcile: bool = Field(default=False, description="Compare the ids on this run even if not due")
    session_dir: str | None = Field(
        default=None,
        description="Folder keeping the Central session between runs (one token file per server and email, "
                    "readable by its owner only), so that a run need not log in; empty: log in on every run. "
                    "Unset: odk_central/ under the data folder (CLMS_DATA_DIR, default the project's var/)")

    def source(self, warehouse: Engine | None = None) -> sources.OdkCentral:
        folder = str(Settings.from_environment().central_sessions) if self.session_dir is None else self.session_dir
        return sources.OdkCentral(
            base_url=self.base_url, email=self.email, password=self.password, project_id=self.project_id,
            http=self._http(), page_size=self.page_size, overlap=timedelta(seconds=self.overlap_seconds),
            reconcile_every=timedelta(hours=self.reconcile_every_hours), force_reconcile=self.force_reconcile,
            session_file=sources.session_file(Path(folder), self.base_url, self.email) if folder else None)


class KoboToolboxSource(_HttpSource):
    """A form deployed as one KoboToolbox asset (hosted or own server), read with an API token.

    Every run reads the new submissions (by ``_id``, a cost that depends only on how many are new), and the last
    ``reread_recent`` it saw once more: KoboToolbox numbers a submission before it is visible. Edits, reviews
    and deletions can only be seen by comparing every stored submission with the server, so that reconciliation
    runs at most once per ``reconcile_every_hours`` (the time of the last one is kept in the sync cursor): they
    reach the warehouse within a day by default, or at the next run with ``force_reconcile``. The raw asset's
    ``cursor`` metadata says whether the run reconciled (``reconciled``) and when the last reconciliation was
    (``reconciled_at``)."""

    base_url: str = Field(description="Server address, e.g. https://kf.kobotoolbox.org")
    token: str = Field(description="API token of an account that can view the asset's submissions: set it "
                                   "through an environment variable")
    asset_uid: str = Field(description="The asset's uid, as in /api/v2/assets/{uid}/")
    reconcile_every_hours: float = Field(
        default=24.0, ge=0,
        description="Compare every stored submission with the server (to see edits, reviews and deletions) at most "
                    "once per this many hours; the runs in between read only new submissions. 0: every run")
    force_reconcile: bool = Field(
        default=False, description="Reconcile on this run even if not due (set it for one run, e.g. from the "
                                   "launchpad, after edits or deletions that must reach the warehouse at once)")
    reread_recent: int = Field(
        default=RECENT, ge=0,
        description="Read again on every run the last this many submissions seen: KoboToolbox numbers a submission "
                    "before it is visible, so one can appear after a run has passed its number. 0: never")

    def source(self, warehouse: Engine | None = None) -> sources.KoboToolbox:
        return sources.KoboToolbox(
            base_url=self.base_url, token=self.token, asset_uid=self.asset_uid, http=self._http(),
            reconcile_every=timedelta(hours=self.reconcile_every_hours), force_reconcile=self.force_reconcile,
            reread_recent=self.reread_recent, case_list_csv=Settings.from_environment().case_list)


class FileImportSource(SubmissionSource):
    """Export files partners send (ODK Central ``.csv.zip``, KoboToolbox ``.xlsx`` or ``.json``), dropped into
    ``<folder>/<form_id>/``; each file is imported whole once, again only when its content changes. A file refused
    is listed with its reason in the sync cursor (the raw asset's ``cursor``) and does not stop the others."""

    folder: str = Field(description="Folder with one sub-folder per form id holding export files")
    max_table_mb: int = Field(default=ImportLimits.max_table_mb, gt=0,
                              description="Largest table of a file, inflated (a CSV member, a sheet, a JSON file)")
    max_compression_ratio: int = Field(default=ImportLimits.max_compression_ratio, gt=0,
                                       description="Largest inflated : compressed size of a member of a zip or xlsx")
    max_rows: int = Field(default=ImportLimits.max_rows, gt=0, description="Most rows of a table of a file")

    def source(self, warehouse: Engine | None = None) -> sources.ExportFiles:
        return sources.ExportFiles(
            folder=Path(self.folder), case_list_csv=Settings.from_environment().case_list,
            limits=ImportLimits(self.max_table_mb, self.max_compression_ratio, self.max_rows))


def source_metadata(source: sources.Source) -> dict[str, str]:
    """What an asset's metadata says of its source (``source/<key>``): its name, then its own details."""
    return {f"source/{key}": value for key, value in {"source": source.name, **source.details()}.items()}
