"""Entity lists (datasets) of an ODK Central project: the list and its properties, its entities, bulk creation
and updates.

Needs Central v2024.1+ (lists and properties created without a form), bulk creation
(``{"entities": [...], "source": {...}}``) and ``__system/deletedAt`` in the entities feed (v2025.1+, assumed).
Reading needs the Project Viewer role, writing the Project Manager role. Property values are strings.

:func:`publish_entities` is what the pipeline runs: it creates what is missing and keeps the label and the
properties the caller owns current, never touching the others, so the properties a form updates stay as the
collectors left them.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote, urljoin

from connectors.errors import ACCESS, CONFLICT, NOT_FOUND, PROTOCOL, REJECTED, SourceError
from connectors.odk_central.problem import central_says
from connectors.odk_central.session import CentralSession

log = logging.getLogger(__name__)

BATCH_SIZE = 200  # entities per bulk request: each request is all or nothing, and stays well under 100 kB
PAGE_SIZE = 5000
_QUERY_SAFE = "$/:,*'()"


class EntityDraft(Protocol):
    """An entity to create: its id (a UUID), its label and its property values (strings)."""

    @property
    def uuid(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def data(self) -> Mapping[str, str]: ...


@dataclass(frozen=True)
class ServerEntity:
    """A live entity as the server holds it (a property never set is ``None``)."""

    uuid: str
    label: str
    version: int
    data: dict[str, str | None]


@dataclass(frozen=True)
class EntityListResult:
    """What :func:`publish_entities` found and did; tuples of entity ids."""

    dataset_created: bool
    properties_added: tuple[str, ...]
    created: tuple[str, ...]
    updated: tuple[str, ...]  # on the server, their label or owned properties written anew
    unchanged: tuple[str, ...]  # on the server with the label and owned properties wanted: left as they are
    not_updated: tuple[str, ...]  # changed on the server twice while being updated, deleted or refused: next run
    deleted: tuple[str, ...]  # deleted on the server (by a data manager): not created again
    unknown: tuple[str, ...]  # live on the server but unknown to the caller: reported, never changed


def dataset_path(project_id: int | str, name: str) -> str:
    return f"/projects/{int(project_id)}/datasets/{quote(name, safe='')}"


class EntityService:
    """The ``/datasets`` endpoints of one server."""

    def __init__(self, session: CentralSession) -> None:
        self._session = session
        self.label = session.label

    def datasets(self, project_id: int | str) -> list[dict[str, Any]]:
        """The project's entity lists (a 404 means the project does not exist)."""
        return self._session.get(f"/projects/{int(project_id)}/datasets")

    def dataset(self, project_id: int | str, name: str) -> dict[str, Any]:
        """One list with its ``properties`` (``[{name, publishedAt, odataName, forms}]``)."""
        try:
            return self._session.get(dataset_path(project_id, name))
        except SourceError as error:
            raise self._reworded(error, project_id, name) from None

    def create_dataset(self, project_id: int | str, name: str) -> dict[str, Any]:
        path = f"/projects/{int(project_id)}/datasets"
        return self._write(path, {"name": name}, project_id, name, f"create the entity list `{name}`")

    def add_property(self, project_id: int | str, name: str, prop: str) -> None:
        path = f"{dataset_path(project_id, name)}/properties"
        self._write(path, {"name": prop}, project_id, name, f"add the property `{prop}` to the entity list `{name}`")

    def ensure_dataset(self, project_id: int | str, name: str,
                       properties: Sequence[str]) -> tuple[bool, tuple[str, ...]]:
        """Create the list and the properties it lacks; returns (list created, properties added)."""
        created = name not in {d.get("name") for d in self.datasets(project_id)}
        if created:
            self.create_dataset(project_id, name)
            existing: set[str] = set()
        else:
            existing = {p.get("name") for p in self.dataset(project_id, name).get("properties") or []}
        added = tuple(p for p in properties if p not in existing)
        for prop in added:
            self.add_property(project_id, name, prop)
        if created or added:
            log.info("%s: entity list %s in project %s: created=%s, properties added: %s",
                     self._session.label, name, project_id, created, ", ".join(added) or "none")
        return created, added

    def entities(self, project_id: int | str, name: str, *, page_size: int = PAGE_SIZE) -> Iterator[ServerEntity]:
        """Every live entity with its version and properties, from the OData feed."""
        for row in self._feed(project_id, name, [("$top", str(page_size))]):
            try:
                system = row["__system"]
                data = {k: v for k, v in row.items() if k not in ("__id", "label", "__system")}
                yield ServerEntity(row["__id"], row["label"], int(system["version"]), data)
            except (KeyError, TypeError, ValueError):
                message = f"{self._session.label}: an entity of `{name}` lacks __id, label or __system/version"
                raise SourceError(message, kind=PROTOCOL) from None

    def entity(self, project_id: int | str, name: str, entity_id: str) -> ServerEntity:
        """One live entity as it is now (a 404 when it does not exist or was deleted)."""
        try:
            body = self._session.get(f"{dataset_path(project_id, name)}/entities/{quote(entity_id, safe='')}")
            current = body["currentVersion"]
            return ServerEntity(body["uuid"], current["label"], int(current["version"]), dict(current["data"]))
        except SourceError as error:
            raise self._reworded(error, project_id, name) from None
        except (KeyError, TypeError, ValueError):
            message = f"{self._session.label}: an entity of `{name}` lacks its current version, label or data"
            raise SourceError(message, kind=PROTOCOL) from None

    def update(self, project_id: int | str, name: str, entity_id: str, base_version: int, *,
               label: str | None, data: Mapping[str, str]) -> None:
        """Write ``label`` (unless ``None``) and the properties of ``data`` over version ``base_version`` (the
        others stay as they are); a 409 (``409.15``) when the entity has another version by now."""
        path = f"{dataset_path(project_id, name)}/entities/{quote(entity_id, safe='')}?baseVersion={base_version}"
        body = {"data": dict(data), **({"label": label} if label is not None else {})}
        self._write(path, body, project_id, name, f"update entities in the entity list `{name}`", method="PATCH")

    def deleted_ids(self, project_id: int | str, name: str) -> set[str]:
        """Ids of the entities deleted on the server (Central refuses to create an entity with such an id)."""
        options = [("$filter", "__system/deletedAt ne null"), ("$select", "__id")]
        return {row["__id"] for row in self._feed(project_id, name, options)}

    def create(self, project_id: int | str, name: str, drafts: Sequence[EntityDraft], *, source: str,
               batch_size: int = BATCH_SIZE) -> None:
        """Create ``drafts`` in bulk, ``batch_size`` per request; a failed request creates none of its batch."""
        path = f"{dataset_path(project_id, name)}/entities"
        for start in range(0, len(drafts), batch_size):
            batch = drafts[start:start + batch_size]
            body = {"entities": [{"uuid": d.uuid, "label": d.label, "data": dict(d.data)} for d in batch],
                    "source": {"name": source, "size": len(batch)}}
            try:
                self._write(path, body, project_id, name, f"create entities in the entity list `{name}`")
            except SourceError as error:
                if error.kind != CONFLICT:
                    raise
                values = (error.response and error.response.details or {}).get("values") or ["?"]
                message = (f"entity {values[0]} already exists in the entity list `{name}` (created by someone else"
                           " or by an earlier try whose answer was lost): run again, only missing entities are created")
                raise self._error(error, message) from None

    def _feed(self, project_id: int | str, name: str, options: list[tuple[str, str]]) -> Iterator[dict[str, Any]]:
        query = "&".join(f"{key}={quote(value, safe=_QUERY_SAFE)}" for key, value in options)
        url = self._session.api_url(f"{dataset_path(project_id, name)}.svc/Entities?{query}")
        while url:
            try:
                document = self._session.request("GET", url)
            except SourceError as error:
                raise self._reworded(error, project_id, name) from None
            value = document.get("value") if isinstance(document, dict) else None
            if not isinstance(value, list):
                raise SourceError(f"{self._session.label}: the answer to GET {url} has no OData `value` list",
                                  kind=PROTOCOL)
            yield from value
            next_link = document.get("@odata.nextLink")
            next_url = self._session.on_this_server(urljoin(url, next_link)) if next_link else None
            if next_url == url:
                raise SourceError(f"{self._session.label}: @odata.nextLink points back to {url}", kind=PROTOCOL)
            url = next_url

    def _write(self, path: str, body: Any, project_id: int | str, name: str, what: str, *,
               method: str = "POST") -> Any:
        try:
            return self._session.request(method, self._session.api_url(path), json_body=body)
        except SourceError as error:
            raise self._reworded(error, project_id, name, what) from None

    def _reworded(self, error: SourceError, project_id: int | str, name: str, what: str | None = None) -> SourceError:
        """Central's 403 and 404 in the words of entity lists (the session's speak of forms and projects);
        ``what`` names the change a write attempted."""
        if error.kind == ACCESS and what is not None:
            return self._error(error, f"no permission to {what} in project {project_id}"
                                      " (the account needs the Project Manager role)")
        if error.kind == NOT_FOUND and "/datasets/" in (error.request.url if error.request else ""):
            return self._error(error, f"entity list `{name}` not found in project {project_id}")
        return error

    def _error(self, error: SourceError, message: str) -> SourceError:
        return SourceError(f"{self._session.label}: {message}{central_says(error.response)}", kind=error.kind,
                           request=error.request, response=error.response)


def publish_entities(client: CentralSession, project_id: int | str, dataset: str, properties: Sequence[str],
                     wanted: Sequence[EntityDraft], *, source: str, owned: Collection[str],
                     current: Sequence[EntityDraft] = ()) -> EntityListResult:
    """Make every entity of ``wanted`` exist in ``dataset`` as the caller wants it, creating the list and its
    properties if needed.

    A missing entity is created with every property of its draft. An entity that exists gets the label and the
    ``owned`` properties of its draft where they differ (:func:`_bring_up_to_date`), and never any other
    property: those belong to the forms that update the entity. ``current``: entities not to create but, where
    they exist, to keep up to date in the same way (e.g. closed cases). An entity deleted on the server is not
    created again. An entity whose id is in neither (e.g. the case it stood for left the register) is reported
    in ``unknown`` and left alone: deleting it would lose what collectors recorded, and Central keeps the visits
    it received.
    """
    service = EntityService(client)
    dataset_created, added = service.ensure_dataset(project_id, dataset, properties)
    live = {} if dataset_created else {e.uuid: e for e in service.entities(project_id, dataset)}
    deleted = set() if dataset_created else service.deleted_ids(project_id, dataset)
    new = [e for e in wanted if e.uuid not in live and e.uuid not in deleted]
    service.create(project_id, dataset, new, source=source)
    outcomes: dict[str, list[str]] = {UPDATED: [], UNCHANGED: [], NOT_UPDATED: []}
    for draft in sorted((d for d in [*wanted, *current] if d.uuid in live), key=lambda d: d.uuid):
        outcome = _bring_up_to_date(service, project_id, dataset, live[draft.uuid], draft, owned)
        outcomes[outcome].append(draft.uuid)
    known = {e.uuid for e in wanted} | {e.uuid for e in current}
    result = EntityListResult(
        dataset_created=dataset_created,
        properties_added=added,
        created=tuple(e.uuid for e in new),
        updated=tuple(outcomes[UPDATED]),
        unchanged=tuple(outcomes[UNCHANGED]),
        not_updated=tuple(outcomes[NOT_UPDATED]),
        deleted=tuple(sorted({e.uuid for e in wanted} & deleted)),
        unknown=tuple(sorted(set(live) - known)),
    )
    log.info("%s: entity list %s: %d created, %d updated, %d unchanged", client.label, dataset,
             len(result.created), len(result.updated), len(result.unchanged))
    if result.not_updated:
        log.warning("%s: %d entities of %s not updated this run (changed on the server meanwhile, deleted or"
                    " refused): the next run tries again: %s", client.label, len(result.not_updated), dataset,
                    ", ".join(result.not_updated))
    if result.deleted:
        log.warning("%s: %d entities of %s were deleted on the server and are not created again: %s",
                    client.label, len(result.deleted), dataset, ", ".join(result.deleted))
    if result.unknown:
        log.warning("%s: %d entities of %s are unknown to the pipeline (left as they are): %s",
                    client.label, len(result.unknown), dataset, ", ".join(result.unknown))
    return result


UPDATED, UNCHANGED, NOT_UPDATED = "updated", "unchanged", "not_updated"


def _bring_up_to_date(service: EntityService, project_id: int | str, dataset: str, entity: ServerEntity,
                      draft: EntityDraft, owned: Collection[str]) -> str:
    """Write the draft's label and ``owned`` properties where ``entity`` (as read) differs, over the version read.
    When that is no longer the current version (a collector's submission changed the entity meanwhile: 409),
    read it again and try once more; a second 409 or a deletion meanwhile leave it for the next run."""
    outcome = _write_differences(service, project_id, dataset, entity, draft, owned)
    if outcome == CONFLICT:
        try:
            entity = service.entity(project_id, dataset, entity.uuid)
        except SourceError as error:
            if error.kind != NOT_FOUND:
                raise
            return NOT_UPDATED
        outcome = _write_differences(service, project_id, dataset, entity, draft, owned)
    return NOT_UPDATED if outcome == CONFLICT else outcome


def _write_differences(service: EntityService, project_id: int | str, dataset: str, entity: ServerEntity,
                       draft: EntityDraft, owned: Collection[str]) -> str:
    """``UNCHANGED`` (nothing differs), ``UPDATED``, ``CONFLICT`` (the entity has a newer version than
    ``entity``) or ``NOT_UPDATED`` (deleted meanwhile, or this one update refused). Any other error (no
    permission, server down) is raised: it is not one entity's."""
    label = draft.label if draft.label != entity.label else None
    data = {p: draft.data.get(p, "") for p in owned if (entity.data.get(p) or "") != draft.data.get(p, "")}
    if label is None and not data:
        return UNCHANGED
    try:
        service.update(project_id, dataset, entity.uuid, entity.version, label=label, data=data)
    except SourceError as error:
        if error.kind == CONFLICT:
            return CONFLICT
        if error.kind not in (NOT_FOUND, REJECTED):
            raise
        answer = error.response
        log.warning("%s: entity %s of %s not updated this run (HTTP %s, code %s)", service.label, entity.uuid,
                    dataset, answer.status if answer else "?", answer.code if answer else "?")
        return NOT_UPDATED
    return UPDATED
