"""Where a form's submissions come from, as plain Python: ODK Central, KoboToolbox, export files or the bundled
demo data. A source is built with all it needs; it reads no setting and knows nothing of Dagster or the warehouse
(``dagster_project.sources`` configures them; the warehouse implements :class:`~connectors.sync.StoredSubmissions`
and :class:`CaseList`)."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import ClassVar, Protocol

from connectors import forms
from connectors.demo import back_check_rows, demo_communes, household_rows
from connectors.demo_programme import OpenCase, activity_rows, inspection_rows, visit_rows
from connectors.demo_reports import case_report_rows
from connectors.exports import FileRefused, ImportLimits, import_export
from connectors.form_schema import FormSchema
from connectors.http import HttpSettings
from connectors.kobotoolbox import KoboClient
from connectors.kobotoolbox import sync_submissions as kobo_sync
from connectors.kobotoolbox.sync import RECENT
from connectors.odk_central import OdkCentralClient, record_from_odata_row, sync_submissions
from connectors.odk_central.entities import EntityDraft, publish_entities
from connectors.odk_central.publish import publish_xlsform
from connectors.odk_central.sync import DEFAULT_OVERLAP
from connectors.records import SubmissionRecord
from connectors.sync import RECONCILE_EVERY, StoredSubmissions
from connectors.xlsform import read_xlsform


class SyncRun(Protocol):
    """One sync of one form: iterate the records once, then take the cursor to save."""

    def __iter__(self) -> Iterator[SubmissionRecord]: ...

    @property
    def cursor(self) -> dict: ...


class CaseList(Protocol):
    """The follow-up form's cases, as the caller hands them to a source: every case of the register, as an entity
    list (a server with entities) or as the form's ``cases.csv`` (the others)."""

    dataset: str  # the entity list's name
    properties: Sequence[str]
    owned: Sequence[str]  # the properties the caller writes on an existing entity (the form writes the others)

    @property
    def open(self) -> Sequence[EntityDraft]: ...

    @property
    def closed(self) -> Sequence[EntityDraft]: ...

    def write_csv(self, path: Path) -> int:
        """Write the open cases to ``path`` as the form's ``cases.csv``; how many."""


class Source:
    """A platform that serves form submissions. ``name`` and ``project_key`` name what a sync brought."""

    name: ClassVar[str]

    @property
    def project_key(self) -> str:
        raise NotImplementedError

    def details(self) -> dict[str, str]:
        """This source's own settings worth showing (never a secret)."""
        return {}

    def open_sync(self, form_id: str, cursor: dict | None, stored: StoredSubmissions | None = None) -> SyncRun:
        """Start a sync of ``form_id`` from ``cursor``. ``stored``: what the caller holds of this form from this
        source, for a platform whose edits and deletions are found only by comparing (KoboToolbox, ODK Central's
        ids) and for export files (an edited Kobo submission's root id)."""
        raise NotImplementedError

    def publish_form(self, xlsform: Path, media_dir: Path) -> dict[str, str]:
        """Make the form's current version live on the platform; say what was done."""
        raise NotImplementedError

    def publish_case_list(self, cases: CaseList) -> dict[str, str | int]:
        """Give the follow-up form its list of cases; say what was done."""
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class _Serverless(Source):
    """A source with no server to publish to: the form is left as it is, and the case list is written to
    ``case_list_csv``, the file KoboToolbox would get."""

    no_server: ClassVar[str]  # why nothing is published, e.g. "the demo source has no server"
    case_list_csv: Path

    def publish_form(self, xlsform: Path, media_dir: Path) -> dict[str, str]:
        info = read_xlsform(xlsform)
        return {"form_id": info.form_id, "version": info.version, "action": f"skipped: {self.no_server}"}

    def publish_case_list(self, cases: CaseList) -> dict[str, str | int]:
        written = cases.write_csv(self.case_list_csv)
        return {"action": f"wrote {self.case_list_csv} ({self.no_server})", "written": written}


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


@dataclass(frozen=True, kw_only=True)
class DemoData(_Serverless):
    """The bundled demo data: deterministic submissions of every form in ODK Central's OData shape. Its collectors
    visit the cases ``open_cases`` gives, as collectors can visit only the cases of their list."""

    no_server: ClassVar[str] = "the demo source has no server"
    name: ClassVar[str] = "demo"
    households: int = 1500
    inspections: int = 300
    seed: int = 2026  # the same seed gives the same submissions
    open_cases: Callable[[], Iterable[OpenCase]] = tuple

    @property
    def project_key(self) -> str:
        return "demo"

    def details(self) -> dict[str, str]:
        return {"households": str(self.households), "inspections": str(self.inspections), "seed": str(self.seed)}

    def open_sync(self, form_id: str, cursor: dict | None, stored: StoredSubmissions | None = None) -> SyncRun:
        """The demo submissions of ``form_id`` (none for a form without demo data)."""
        communes = demo_communes(forms.FORMS_DIR / "media" / "communes.csv")
        rows = {
            forms.HOUSEHOLD_SURVEY: lambda: household_rows(communes, self.households, self.seed),
            forms.HOUSEHOLD_BACK_CHECK: lambda: back_check_rows(communes, self.households, self.seed),
            forms.WORKPLACE_INSPECTION: lambda: inspection_rows(communes, self.inspections, self.seed),
            forms.ACTIVITY_REPORT: lambda: activity_rows(communes, self.seed),
            forms.CASE_FOLLOWUP: lambda: visit_rows(self.open_cases(), self.seed),
            forms.CASE_REPORT: lambda: case_report_rows(communes, self.households, self.seed),
        }.get(form_id, list)()
        return _DemoRun(rows, form_id)


class _ClosingSync:
    """A server's sync that closes its client's session when the iteration ends."""

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


@dataclass(frozen=True, kw_only=True)
class _HttpSource(Source):
    """A platform reached over HTTP: its address, the retry policy, and how often its stored submissions are
    compared with the server's (``reconcile_every``, or on this run with ``force_reconcile``)."""

    base_url: str
    http: HttpSettings = field(default_factory=HttpSettings)
    reconcile_every: timedelta = RECONCILE_EVERY
    force_reconcile: bool = False

    def details(self) -> dict[str, str]:
        hours = self.reconcile_every / timedelta(hours=1)
        return {"server": self.base_url, **self._where(), "reconcile_every_hours": f"{hours:g}",
                **({"force_reconcile": "true"} if self.force_reconcile else {})}

    def _where(self) -> dict[str, str]:
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class OdkCentral(_HttpSource):
    """A project of an ODK Central server: a Project Viewer can pull submissions; publishing forms and the
    ``cases`` entities need a Project Manager. Every run reads what changed since the last one; purges and
    restores move no timestamp, so they are found by comparing the ids stored as live with the server's.
    ``session_file``: where the session is kept between runs (none: log in on every run)."""

    name: ClassVar[str] = "odk_central"
    email: str
    password: str = field(repr=False)
    project_id: int
    page_size: int | None = None  # rows per query, in submissionDate windows; none: one query, read as it arrives
    overlap: timedelta = DEFAULT_OVERLAP
    session_file: Path | None = None

    @property
    def project_key(self) -> str:
        return str(self.project_id)

    def _where(self) -> dict[str, str]:
        return {"project": str(self.project_id)}

    def client(self) -> OdkCentralClient:
        return OdkCentralClient(self.base_url, self.email, self.password, settings=self.http,
                                session_file=self.session_file)

    def open_sync(self, form_id: str, cursor: dict | None, stored: StoredSubmissions | None = None) -> SyncRun:
        """The server's submissions since ``cursor``, and purges and restores when the id comparison with
        ``stored`` is due (the server serves the case list to the form itself)."""
        client = self.client()
        sync = sync_submissions(client, self.project_id, form_id, cursor, page_size=self.page_size,
                                overlap=self.overlap, store=stored, reconcile_every=self.reconcile_every,
                                reconcile=self.force_reconcile)
        return _ClosingSync(client, sync)

    def publish_form(self, xlsform: Path, media_dir: Path) -> dict[str, str]:
        with self.client() as client:
            result = publish_xlsform(client, self.project_id, xlsform, media_dir)
        return {"form_id": result.form_id, "version": result.version, "action": result.action,
                "media": ", ".join(result.media)}

    def publish_case_list(self, cases: CaseList) -> dict[str, str | int]:
        """Create the entities of the open cases that have none, and bring the label and the owned properties of
        every case's entity up to date (the account needs the Project Manager role)."""
        with self.client() as client:
            result = publish_entities(client, self.project_id, cases.dataset, cases.properties, cases.open,
                                      source="CLMS case register", owned=cases.owned, current=cases.closed)
        return {"action": f"entity list `{cases.dataset}` of project {self.project_id}",
                "created": len(result.created), "updated": len(result.updated),
                "unchanged": len(result.unchanged), "not_updated": len(result.not_updated),
                "deleted_on_server": len(result.deleted), "not_in_register": len(result.unknown),
                "properties_added": ", ".join(result.properties_added)}


def session_file(folder: Path, base_url: str, email: str) -> Path:
    """The session file of ``email`` on ``base_url`` in ``folder``: one per server and account."""
    key = hashlib.sha256(f"{base_url}\n{email}".encode()).hexdigest()[:16]
    return folder / f"session-{key}.json"


@dataclass(frozen=True, kw_only=True)
class KoboToolbox(_HttpSource):
    """A form deployed as one KoboToolbox asset, read with an API token.

    Every run reads the new submissions (by ``_id``) and the last ``reread_recent`` it saw once more: KoboToolbox
    numbers a submission before it is visible. Edits, reviews and deletions are seen only by comparing every
    stored submission with the server, when due. The case list is uploaded as the form's ``cases.csv``, written
    first to ``case_list_csv``."""

    name: ClassVar[str] = "kobotoolbox"
    token: str = field(repr=False)
    asset_uid: str
    case_list_csv: Path
    reread_recent: int = RECENT

    @property
    def project_key(self) -> str:
        return self.asset_uid

    def _where(self) -> dict[str, str]:
        return {"asset": self.asset_uid}

    def client(self) -> KoboClient:
        return KoboClient(self.base_url, self.token, settings=self.http)

    def open_sync(self, form_id: str, cursor: dict | None, stored: StoredSubmissions | None = None) -> SyncRun:
        """New submissions by ``_id``; edits and deletions by comparing with ``stored`` when due (or forced);
        answers typed by the form of ``forms/`` (not the asset's possibly undeployed content)."""
        schema = forms.definition(form_id).schema  # first: a form that does not convert leaves no session open
        client = self.client()
        return _ClosingSync(client, kobo_sync(client, self.asset_uid, cursor, store=stored, schema=schema,
                                              form_id=form_id, reconcile_every=self.reconcile_every,
                                              reconcile=self.force_reconcile, recent=self.reread_recent))

    def publish_form(self, xlsform: Path, media_dir: Path) -> dict[str, str]:
        info = read_xlsform(xlsform)
        with self.client() as client:
            asset = client.assets.deploy(xlsform, asset_uid=self.asset_uid,
                                         media={name: media_dir / name for name in info.media})
        return {"form_id": info.form_id, "version": info.version, "action": f"deployed as {asset.get('uid')}",
                "media": ", ".join(info.media)}

    def publish_case_list(self, cases: CaseList) -> dict[str, str | int]:
        """Kobo has no entities: upload the open cases as the form's cases.csv and redeploy so phones get it."""
        written = cases.write_csv(self.case_list_csv)
        with self.client() as client:
            client.assets.upload_media(self.asset_uid, "cases.csv", self.case_list_csv)
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


@dataclass(frozen=True, kw_only=True)
class ExportFiles(_Serverless):
    """Export files partners send (ODK Central ``.csv.zip``, KoboToolbox ``.xlsx`` or ``.json``), dropped into
    ``<folder>/<form_id>/``; each file is imported whole once, again only when its content changes. A file refused
    is listed with its reason in the sync cursor and does not stop the others."""

    no_server: ClassVar[str] = "export files have no server"
    name: ClassVar[str] = "file"
    folder: Path
    limits: ImportLimits = ImportLimits()

    @property
    def project_key(self) -> str:
        return "imports"

    def details(self) -> dict[str, str]:
        return {"folder": str(self.folder)}

    def open_sync(self, form_id: str, cursor: dict | None, stored: StoredSubmissions | None = None) -> SyncRun:
        """The files not yet imported. ``stored`` gives a KoboToolbox XLSX export the ids stored
        (:meth:`~connectors.sync.StoredSubmissions.root_instance_ids`), so that a submission edited on Kobo is
        named by its root instance id, as the Kobo sync names it."""
        folder = self.folder / form_id
        files = sorted(p for p in folder.glob("*") if p.suffix.lower() in (".zip", ".xlsx", ".json")) \
            if folder.exists() else []
        return _FileImports(files, forms.definition(form_id).schema, cursor, self.limits,
                            stored.root_instance_ids if stored is not None else dict)
