"""Where a form's submissions come from: ODK Central, KoboToolbox, export files, or the bundled demo data."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import ClassVar, Protocol

import dagster as dg
from pydantic import Field

from connectors import forms
from connectors.demo import back_check_rows, demo_communes, household_rows
from connectors.demo_programme import activity_rows, inspection_rows, visit_rows
from connectors.demo_reports import case_report_rows
from connectors.exports import FileRefused, ImportLimits, import_export
from connectors.form_schema import FormSchema
from connectors.http import HttpSettings
from connectors.kobotoolbox import KoboClient
from connectors.kobotoolbox import sync_submissions as kobo_sync
from connectors.kobotoolbox.sync import RECENT
from connectors.odk_central import OdkCentralClient, record_from_odata_row, sync_submissions
from connectors.odk_central.entities import publish_entities
from connectors.odk_central.publish import publish_xlsform
from connectors.records import SubmissionRecord
from connectors.xlsform import read_xlsform
from warehouse.cases.case_list import DATASET, PIPELINE_OWNED, PROPERTIES, CaseListRow, write_cases_csv
from warehouse.cases.case_register import open_cases
from warehouse.infra.settings import Settings
from warehouse.raw.stored_submissions import WarehouseSubmissions


class SyncRun(Protocol):
    """One sync of one form: iterate the records once, then take the cursor to save."""

    def __iter__(self) -> Iterator[SubmissionRecord]: ...

    @property
    def cursor(self) -> dict: ...


class SubmissionSource(dg.ConfigurableResource):
    """A platform that serves form submissions."""

    def metadata(self) -> dict[str, str]:
        """What the asset's metadata says of the source (``source/<key>``): its name, then its own :meth:`details`."""
        return {f"source/{key}": value for key, value in {"source": self.source_name, **self.details()}.items()}

    def details(self) -> dict[str, str]:
        """This source's own settings worth showing (never a secret)."""
        return {}

    @property
    def source_name(self) -> str:
        raise NotImplementedError

    @property
    def project_key(self) -> str:
        raise NotImplementedError

    def open_sync(self, form_id: str, cursor: dict | None, stored: WarehouseSubmissions | None = None) -> SyncRun:
        """Start a sync of ``form_id`` from ``cursor``. ``stored``: what the warehouse holds of this form from this
        source, for a platform whose edits and deletions are found only by reconciling (KoboToolbox, ODK Central's
        ids), and for the demo, which plays the collectors, the case list they see."""
        raise NotImplementedError

    def publish_form(self, xlsform: Path, media_dir: Path) -> dict[str, str]:
        """Make the form's current version live on the platform; say what was done."""
        raise NotImplementedError

    def publish_case_list(self, rows: Sequence[CaseListRow]) -> dict[str, str | int]:
        """Give the follow-up form its list of cases (``rows``: every case, closed ones too); say what was done."""
        raise NotImplementedError


class _ServerlessSource(SubmissionSource):
    """A source with no server to publish to (the demo, export files): the form is left as it is, and the case
    list is written to ``Settings.case_list``, the file KoboToolbox would get."""

    no_server: ClassVar[str]  # why nothing is published, e.g. "the demo source has no server"

    def publish_form(self, xlsform: Path, media_dir: Path) -> dict[str, str]:
        info = read_xlsform(xlsform)
        return {"form_id": info.form_id, "version": info.version, "action": f"skipped: {self.no_server}"}

    def publish_case_list(self, rows: Sequence[CaseListRow]) -> dict[str, str | int]:
        path = Settings.from_environment().case_list
        written = write_cases_csv(rows, path)
        return {"action": f"wrote {path} ({self.no_server})", "written": written}


class _DemoRun:
    """The demo rows streamed as records (never all in memory), counted for the cursor."""

    def __init__(self, rows: Iterable[dict], form_id: str):
        self._rows, self._form_id, self._count = rows, form_id, 0

    def __iter__(self) -> Iterator[SubmissionRecord]:
        for row in self._rows:
            self._count += 1
            yield record_from_odata_row(row, "demo", self._form_id)._replace(source="demo")

    @property
    def cursor(self) -> dict:
        return {"rows": self._count}


class DemoSource(_ServerlessSource):
    """The bundled demo data: deterministic submissions of every form in ODK Central's OData shape."""

    no_server: ClassVar[str] = "the demo source has no server"

    households: int = Field(default=1500, description="How many household submissions to generate.")
    inspections: int = Field(default=300, description="How many workplace inspections to generate.")
    seed: int = Field(default=2026, description="Random seed: the same seed gives the same submissions.")

    @property
    def source_name(self) -> str:
        return "demo"

    @property
    def project_key(self) -> str:
        return "demo"

    def details(self) -> dict[str, str]:
        return {"households": str(self.households), "inspections": str(self.inspections), "seed": str(self.seed)}

    def open_sync(self, form_id: str, cursor: dict | None, stored: WarehouseSubmissions | None = None) -> SyncRun:
        """The demo submissions of ``form_id`` (none for a form without demo data); follow-up visits to the
        warehouse's open cases only (none without ``stored``), as collectors can visit only the cases of their
        list."""
        communes = demo_communes(forms.FORMS_DIR / "media" / "communes.csv")
        rows = {
            forms.HOUSEHOLD_SURVEY: lambda: household_rows(communes, self.households, self.seed),
            forms.HOUSEHOLD_BACK_CHECK: lambda: back_check_rows(communes, self.households, self.seed),
            forms.WORKPLACE_INSPECTION: lambda: inspection_rows(communes, self.inspections, self.seed),
            forms.ACTIVITY_REPORT: lambda: activity_rows(communes, self.seed),
            forms.CASE_FOLLOWUP: lambda: visit_rows(open_cases(stored.engine) if stored is not None else (), self.seed),
            forms.CASE_REPORT: lambda: case_report_rows(communes, self.households, self.seed),
        }.get(form_id, list)()
        return _DemoRun(rows, form_id)


class _ClosingSync:
    """A server's sync (ODK Central, KoboToolbox) that closes its client's session when the iteration ends."""

    def __init__(self, client: OdkCentralClient | KoboClient, sync: SyncRun):
        self._client, self._sync = client, sync

    def __iter__(self) -> Iterator[SubmissionRecord]:
        try:
            yield from self._sync
        finally:
            self._client.close()

    @property
    def cursor(self) -> dict:
        return self._sync.cursor


class OdkCentralSource(SubmissionSource):
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
    read_timeout: float = Field(default=120.0, description="Seconds to wait for a response")
    max_tries: int = Field(default=5, description="Tries of a request before giving up")
    backoff_factor: float = Field(default=1.0, description="Backoff between tries: 0, 2, 4, 8 … × this, seconds")
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

    @property
    def source_name(self) -> str:
        return "odk_central"

    @property
    def project_key(self) -> str:
        return str(self.project_id)

    def details(self) -> dict[str, str]:
        return {"server": self.base_url, "project": str(self.project_id),
                "reconcile_every_hours": f"{self.reconcile_every_hours:g}",
                **({"force_reconcile": "true"} if self.force_reconcile else {})}

    def client(self) -> OdkCentralClient:
        settings = HttpSettings(read_timeout=self.read_timeout, max_tries=self.max_tries,
                                backoff_factor=self.backoff_factor)
        folder = str(Settings.from_environment().central_sessions) if self.session_dir is None else self.session_dir
        session = None
        if folder:
            key = hashlib.sha256(f"{self.base_url}\n{self.email}".encode()).hexdigest()[:16]
            session = Path(folder) / f"session-{key}.json"
        return OdkCentralClient(self.base_url, self.email, self.password, settings=settings, session_file=session)

    def open_sync(self, form_id: str, cursor: dict | None, stored: WarehouseSubmissions | None = None) -> SyncRun:
        """The server's submissions since ``cursor``, and purges and restores when the id comparison with
        ``stored`` is due (the server serves the case list to the form itself)."""
        client = self.client()
        sync = sync_submissions(client, self.project_id, form_id, cursor, page_size=self.page_size,
                                overlap=timedelta(seconds=self.overlap_seconds), store=stored,
                                reconcile_every=timedelta(hours=self.reconcile_every_hours),
                                reconcile=self.force_reconcile)
        return _ClosingSync(client, sync)

    def publish_form(self, xlsform: Path, media_dir: Path) -> dict[str, str]:
        with self.client() as client:
            result = publish_xlsform(client, self.project_id, xlsform, media_dir)
        return {"form_id": result.form_id, "version": result.version, "action": result.action,
                "media": ", ".join(result.media)}

    def publish_case_list(self, rows: Sequence[CaseListRow]) -> dict[str, str | int]:
        """Create the entities of the open cases that have none, and bring the label and the pipeline's properties
        (``PIPELINE_OWNED``) of every case's entity up to date (the account needs the Project Manager role)."""
        with self.client() as client:
            result = publish_entities(client, self.project_id, DATASET, PROPERTIES, [r for r in rows if r.is_open],
                                      source="CLMS case register", owned=PIPELINE_OWNED,
                                      current=[r for r in rows if not r.is_open])
        return {"action": f"entity list `{DATASET}` of project {self.project_id}", "created": len(result.created),
                "updated": len(result.updated), "unchanged": len(result.unchanged),
                "not_updated": len(result.not_updated), "deleted_on_server": len(result.deleted),
                "not_in_register": len(result.unknown), "properties_added": ", ".join(result.properties_added)}


class KoboToolboxSource(SubmissionSource):
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
    read_timeout: float = Field(default=120.0, description="Seconds to wait for a response")
    max_tries: int = Field(default=5, description="Tries of a request before giving up")
    backoff_factor: float = Field(default=1.0, description="Backoff between tries: 0, 2, 4, 8 … × this, seconds")
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

    @property
    def source_name(self) -> str:
        return "kobotoolbox"

    @property
    def project_key(self) -> str:
        return self.asset_uid

    def details(self) -> dict[str, str]:
        return {"server": self.base_url, "asset": self.asset_uid,
                "reconcile_every_hours": f"{self.reconcile_every_hours:g}",
                **({"force_reconcile": "true"} if self.force_reconcile else {})}

    def client(self) -> KoboClient:
        settings = HttpSettings(read_timeout=self.read_timeout, max_tries=self.max_tries,
                                backoff_factor=self.backoff_factor)
        return KoboClient(self.base_url, self.token, settings=settings)

    def open_sync(self, form_id: str, cursor: dict | None, stored: WarehouseSubmissions | None = None) -> SyncRun:
        """New submissions by ``_id``; edits and deletions by reconciling with what the warehouse stored when due
        (or forced); answers typed by the form of ``forms/`` (not the asset's possibly undeployed content)."""
        schema = forms.definition(form_id).schema  # first: a form that does not convert leaves no session open
        client = self.client()
        return _ClosingSync(client, kobo_sync(client, self.asset_uid, cursor, store=stored, schema=schema,
                                              form_id=form_id,
                                              reconcile_every=timedelta(hours=self.reconcile_every_hours),
                                              reconcile=self.force_reconcile, recent=self.reread_recent))

    def publish_form(self, xlsform: Path, media_dir: Path) -> dict[str, str]:
        info = read_xlsform(xlsform)
        with self.client() as client:
            asset = client.assets.deploy(xlsform, asset_uid=self.asset_uid,
                                         media={name: media_dir / name for name in info.media})
        return {"form_id": info.form_id, "version": info.version, "action": f"deployed as {asset.get('uid')}",
                "media": ", ".join(info.media)}

    def publish_case_list(self, rows: Sequence[CaseListRow]) -> dict[str, str | int]:
        """Kobo has no entities: upload the open cases as the form's cases.csv and redeploy so phones get it."""
        path = Settings.from_environment().case_list
        written = write_cases_csv(rows, path)
        with self.client() as client:
            client.assets.upload_media(self.asset_uid, "cases.csv", path)
            client.assets.redeploy(self.asset_uid)
        return {"action": f"cases.csv uploaded to asset {self.asset_uid} and redeployed", "written": written}


class _FileImports:
    """Each file not yet imported, whole; a file refused (malformed, of another form, beyond the limits) is recorded
    in the cursor by its content's SHA-256 with the reason (its code and parameters: no cell's value), skipped, and
    tried again only once its content or the limits change."""

    def __init__(self, files: list[Path], schema: FormSchema, cursor: dict | None, limits: ImportLimits,
                 known_ids: Callable[[], Mapping[str, str]] = dict):
        self._files, self._schema, self._limits, self._known_ids = files, schema, limits, known_ids
        self._seen: dict[str, str] = dict((cursor or {}).get("files", {}))
        self._refused: dict[str, dict] = dict((cursor or {}).get("refused", {}))
        self._done = False

    def __iter__(self) -> Iterator[SubmissionRecord]:
        limits, known_ids = dataclasses.asdict(self._limits), None
        for path in self._files:
            with open(path, "rb") as f:
                digest = hashlib.file_digest(f, "sha256").hexdigest()
            if self._seen.get(path.name) == digest or self._refused.get(digest, {}).get("limits") == limits:
                continue
            if known_ids is None and path.suffix.lower() == ".xlsx":
                known_ids = self._known_ids()
            try:
                records = import_export(path, self._schema, known_ids=known_ids, limits=self._limits)  # checked whole
            except FileRefused as exc:
                self._refused[digest] = {"file": path.name, "code": exc.refusal.code, "params": exc.refusal.params,
                                         "limits": limits}
                continue
            self._refused.pop(digest, None)
            yield from records
            self._seen[path.name] = digest
        self._done = True

    @property
    def cursor(self) -> dict:
        if not self._done:
            raise RuntimeError("the new cursor exists only after every file was read")
        return {"files": dict(sorted(self._seen.items())), "refused": dict(sorted(self._refused.items()))}


class FileImportSource(_ServerlessSource):
    """Export files partners send (ODK Central ``.csv.zip``, KoboToolbox ``.xlsx`` or ``.json``), dropped into
    ``<folder>/<form_id>/``; each file is imported whole once, again only when its content changes. A file refused
    is listed with its reason in the sync cursor (the raw asset's ``cursor``) and does not stop the others."""

    no_server: ClassVar[str] = "export files have no server"

    folder: str = Field(description="Folder with one sub-folder per form id holding export files")
    max_table_mb: int = Field(default=ImportLimits.max_table_mb, gt=0,
                              description="Largest table of a file, inflated (a CSV member, a sheet, a JSON file)")
    max_compression_ratio: int = Field(default=ImportLimits.max_compression_ratio, gt=0,
                                       description="Largest inflated : compressed size of a member of a zip or xlsx")
    max_rows: int = Field(default=ImportLimits.max_rows, gt=0, description="Most rows of a table of a file")

    @property
    def source_name(self) -> str:
        return "file"

    @property
    def project_key(self) -> str:
        return "imports"

    def details(self) -> dict[str, str]:
        return {"folder": self.folder}

    def open_sync(self, form_id: str, cursor: dict | None, stored: WarehouseSubmissions | None = None) -> SyncRun:
        """The files not yet imported. ``stored`` gives a KoboToolbox XLSX export the ids the warehouse holds
        (:meth:`~warehouse.raw.stored_submissions.WarehouseSubmissions.root_instance_ids`), so that a submission
        edited on Kobo is named by its root instance id, as the Kobo sync names it."""
        folder = Path(self.folder) / form_id
        files = sorted(p for p in folder.glob("*") if p.suffix.lower() in (".zip", ".xlsx", ".json")) \
            if folder.exists() else []
        limits = ImportLimits(self.max_table_mb, self.max_compression_ratio, self.max_rows)
        return _FileImports(files, forms.definition(form_id).schema, cursor, limits,
                            stored.root_instance_ids if stored is not None else dict)
