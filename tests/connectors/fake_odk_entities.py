"""The fake ODK Central's entity lists (datasets), their entities, and the entity updates submissions carry.

No exchange with a real Central was recorded for entities: the shapes below follow central-backend's API
documentation (``docs/api.yaml``) and code as remembered for v2024.3–v2026.x. Key order is assumed where
marked. Under ``/v1/projects/{pid}/datasets`` (a Project Viewer may read, a Project Manager also write):

- GET ``datasets`` → ``[{name, createdAt, projectId, approvalRequired, ownerOnly}]``; with
  ``X-Extended-Metadata: true`` also ``entities``, ``lastEntity``, ``conflicts``.
- POST ``datasets`` ``{"name"}`` → the list as above; 409.3 when the name exists; 400.2 without a name.
- GET ``datasets/{name}`` → the list plus ``sourceForms`` and ``linkedForms`` (``[{xmlFormId, name}]``) and
  ``properties`` (``[{name, publishedAt, odataName, forms: [{xmlFormId, name}]}]``).
- POST ``datasets/{name}/properties`` ``{"name"}`` → ``{"success": true}``; 409.3 when it exists.
- GET ``datasets/{name}/entities`` (``?deleted=true``: the deleted ones), oldest first (assumed) →
  ``[{uuid, creatorId, conflict, createdAt, updatedAt, deletedAt, currentVersion: {label, current, createdAt,
  creatorId, userAgent, version, baseVersion, conflictingProperties}}]``: no ``data`` in the list (assumed).
- POST ``datasets/{name}/entities``: one ``{uuid?, label, data}`` → the entity, ``currentVersion.data``
  included; or in bulk ``{"entities": [...], "source": {"name", "size"?}}`` → ``{"success": true}``, all or
  nothing. 409.3 for a uuid the list has or had (a deleted entity keeps its uuid) or twice in a batch; 400.28
  for an unknown property or an empty label; 400.11 for a value that is not a string (assumed) or a uuid
  that is not a version 4 UUID (as Central's ``lib/data/entity.js``: ``uuid:`` prefix allowed, stored lowercase).
- GET, PATCH, DELETE ``datasets/{name}/entities/{uuid}`` (404.1 when deleted): PATCH ``{label?, data?}``
  merges the properties (``""`` clears one) and needs ``?baseVersion=`` the current version or ``?force=true``
  (else 409.15, a missing one too: "you provided 'undefined'"); a blank label is 400.8; its answer and GET's
  carry the version's ``dataReceived`` and null ``branchId``, ``trunkVersion``, ``branchBaseVersion``
  (tests/real_central/test_entity_updates.py checks these against the real server); DELETE is soft.
- GET ``datasets/{name}.svc/Entities``: rows ``{__id, label, __system: {createdAt, creatorId (a string),
  creatorName, updates, updatedAt, deletedAt, version, conflict}, <each property, null when unset>}``,
  newest first (assumed), ``$top``/``$skip``, an ``@odata.nextLink`` with a ``$skiptoken`` of ``{"uuid": …}``
  (assumed), ``$count``, ``$select``, and ``$filter`` on ``__id``, ``__system/createdAt``, ``updatedAt``,
  ``deletedAt`` (deleted entities only when the filter mentions ``deletedAt``; ``conflict`` not filterable
  here). Cost: every page sorts the whole list.

Forms: a published form whose ``meta/entity`` names a list creates the list and the properties of its
``entities:saveto`` binds, at its publishedAt, as Central does. A new OpenRosa submission received over HTTP
(not an edit, not a re-post) whose ``<entity update="1" id=… baseVersion=…>`` names a live entity writes the
submitted values of the saveto fields (an empty element clears the property) and makes a new version; a
baseVersion that is not the current one sets ``conflict: "soft"`` (Central tells soft from hard conflicts by
the properties changed since: not modelled); no baseVersion, an unknown or deleted entity: nothing happens
(Central logs a processing error). Central applies updates in a background worker; the fake does at once.
Entity creation by submissions and offline branches (trunkVersion, branchId) are not modelled.

State lives beside the :class:`CentralState` (:func:`store_of`), so the model needs no change.
"""

from __future__ import annotations

import itertools
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import uuid4
from weakref import WeakKeyDictionary

from tests.connectors.fake_odata_filter import CompiledFilter, FilterError
from tests.connectors.fake_odk_model import CentralState, Project, User, iso
from tests.connectors.fake_odk_replies import NOT_FOUND, Problem, Reply, eventhash, json_reply, parse_skiptoken
from tests.connectors.fake_xforms import XFORMS, XForm, local, submission_meta

if TYPE_CHECKING:
    from tests.connectors.fake_odk_routes import Router

SAVETO = "{http://www.opendatakit.org/xforms/entities}saveto"
_UUID_V4 = re.compile(r"^(uuid:)?([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})$", re.IGNORECASE)
_SUBMISSION_ONLY = ("__system/submissionDate", "__system/submitterId", "__system/reviewState")
_SUCCESS = {"success": True}


@dataclass
class Property:
    name: str
    published_ms: int
    forms: list[str] = field(default_factory=list)  # forms whose saveto writes it


@dataclass
class Entity:
    uuid: str
    seq: int
    label: str
    data: dict[str, str]
    creator: User
    created_ms: int
    user_agent: str
    version_creator: User
    version_ms: int
    version: int = 1
    base_version: int | None = None
    updated_ms: int | None = None
    deleted_ms: int | None = None
    conflict: str | None = None
    updates: int = 0
    received: dict[str, str] | None = None  # what the latest version was given (``dataReceived``), label included

    def __post_init__(self) -> None:
        if self.received is None:
            self.received = {**self.data, "label": self.label}

    @property
    def instance_id(self) -> str:  # what the shared $filter compiler reads for __id
        return self.uuid

    @property
    def state(self) -> str:  # what eventhash reads: changes with every version and deletion
        return f"{self.version}:{self.deleted_ms}"

    def change(self, *, label: str | None, data: dict[str, str], user: User, user_agent: str, now: int) -> None:
        self.data.update(data)
        self.received = {**data, **({"label": label} if label is not None else {})}
        self.label = label if label is not None else self.label
        self.base_version, self.version = self.version, self.version + 1
        self.version_creator, self.version_ms, self.user_agent = user, now, user_agent
        self.updated_ms, self.updates = now, self.updates + 1


@dataclass
class Dataset:
    id: int
    name: str
    project_id: int
    created_ms: int
    properties: dict[str, Property] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)  # every entity ever created, deleted ones too
    source_forms: list[str] = field(default_factory=list)

    def add_property(self, name: str, published_ms: int, form_id: str | None = None) -> None:
        prop = self.properties.setdefault(name, Property(name, published_ms))
        if form_id and form_id not in prop.forms:
            prop.forms.append(form_id)

    def live(self) -> list[Entity]:
        return [e for e in self.entities.values() if e.deleted_ms is None]


@dataclass(frozen=True)
class Declaration:
    """What a form says about entities: the list it updates and field path → property."""

    dataset: str
    saveto: dict[str, str]


class EntityStore:
    def __init__(self) -> None:
        self.datasets: dict[tuple[int, str], Dataset] = {}
        self.declarations: dict[tuple[int, str, str], Declaration | None] = {}  # (project, form, version)
        self.applied: set[tuple[int, str]] = set()  # (project, instanceID) whose entity update was applied
        self._ids = itertools.count(1)

    def create(self, project_id: int, name: str, now: int) -> Dataset:
        dataset = Dataset(next(self._ids), name, project_id, now)
        self.datasets[(project_id, name)] = dataset
        return dataset

    def next_seq(self) -> int:
        return next(self._ids)

    def sync_forms(self, project: Project) -> None:
        """Create the lists and properties that newly published forms declare."""
        for form in project.forms.values():
            for xform, published_ms in form.published:
                key = (project.id, form.form_id, xform.version)
                if key in self.declarations:
                    continue
                declared = self.declarations[key] = declaration(xform)
                if declared is None:
                    continue
                dataset = self.datasets.get((project.id, declared.dataset)) or self.create(
                    project.id, declared.dataset, published_ms)
                if form.form_id not in dataset.source_forms:
                    dataset.source_forms.append(form.form_id)
                for prop in declared.saveto.values():
                    dataset.add_property(prop, published_ms, form.form_id)


_stores: WeakKeyDictionary[CentralState, EntityStore] = WeakKeyDictionary()


def store_of(state: CentralState) -> EntityStore:
    """The entity lists of a fake server, created on first use."""
    if state not in _stores:
        _stores[state] = EntityStore()
    return _stores[state]


def _child(element: ET.Element | None, name: str) -> ET.Element | None:
    return next((c for c in element if local(c.tag) == name), None) if element is not None else None


def declaration(xform: XForm) -> Declaration | None:
    """The list a form's ``meta/entity`` names and its ``entities:saveto`` binds; None for other forms."""
    root = ET.fromstring(xform.xml)
    model = root.find(f".//{XFORMS}model")
    primary = next((i for i in model.findall(f"{XFORMS}instance") if "id" not in i.attrib), None)
    data = primary[0]
    entity = _child(_child(data, "meta"), "entity")
    if entity is None or not entity.get("dataset"):
        return None
    top = f"/{local(data.tag)}"
    saveto = {b.get("nodeset")[len(top):]: b.get(SAVETO) for b in model.iter(f"{XFORMS}bind") if b.get(SAVETO)}
    return Declaration(entity.get("dataset"), saveto)


def apply_submission(state: CentralState, project: Project, xml: bytes, user: User, user_agent: str) -> None:
    """The entity update a newly received submission carries, applied as Central's worker would."""
    store = store_of(state)
    store.sync_forms(project)
    meta = submission_meta(xml)
    declared = store.declarations.get((project.id, meta.form_id, meta.version))
    if declared is None or meta.deprecated_id or (project.id, meta.instance_id) in store.applied:
        return
    store.applied.add((project.id, meta.instance_id))
    root = ET.fromstring(xml)
    entity_element = _child(_child(root, "meta"), "entity")
    if entity_element is None or entity_element.get("update") not in ("1", "true"):
        return
    dataset = store.datasets.get((project.id, entity_element.get("dataset") or ""))
    entity = dataset.entities.get((entity_element.get("id") or "").removeprefix("uuid:")) if dataset else None
    base = entity_element.get("baseVersion") or ""
    if entity is None or entity.deleted_ms is not None or not base.isdigit():
        return
    values = {}
    for path, prop in declared.saveto.items():
        element = root
        for name in path.strip("/").split("/"):
            element = _child(element, name)
        if element is not None:
            values[prop] = element.text or ""
    if int(base) != entity.version:
        entity.conflict = "soft"
    entity.change(label=None, data=values, user=user, user_agent=user_agent, now=state.clock.now_ms())


class EntityRoutes:
    """The ``/datasets`` endpoints of one project; the router has checked the session and the role."""

    def __init__(self, router: Router, project: Project) -> None:
        self.router, self.project = router, project
        self.store = store_of(router.state)
        self.store.sync_forms(project)
        self.now = router.state.clock.now_ms()

    def route(self, rest: list[str]) -> Reply:
        method = self.router.method
        if not rest and method == "GET":
            return json_reply([self.summary(d, extended=self.router.extended()) for d in self.datasets()])
        if not rest and method == "POST":
            return self.create_dataset()
        if rest and rest[0].endswith(".svc") and method == "GET":
            try:
                return self.odata(self.dataset(rest[0][:-4]), rest[1:])
            except Problem as problem:
                problem.odata = True
                raise
        dataset = self.dataset(rest[0]) if rest else None
        tail = rest[1:]
        if dataset is not None and not tail and method == "GET":
            return json_reply(self.details(dataset))
        if dataset is not None and tail == ["properties"] and method == "POST":
            return self.create_property(dataset)
        if dataset is not None and tail[:1] == ["entities"]:
            return self.entities(dataset, tail[1:])
        raise Problem(404, 404.1, NOT_FOUND)

    # ------------------------------------------------------------------ lists and properties

    def datasets(self) -> list[Dataset]:
        return [d for (pid, _), d in self.store.datasets.items() if pid == self.project.id]

    def dataset(self, name: str) -> Dataset:
        dataset = self.store.datasets.get((self.project.id, name))
        if dataset is None:
            raise Problem(404, 404.1, NOT_FOUND)
        return dataset

    def summary(self, dataset: Dataset, *, extended: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"name": dataset.name, "createdAt": iso(dataset.created_ms),
                               "projectId": dataset.project_id, "approvalRequired": False, "ownerOnly": False}
        if extended:
            live = dataset.live()
            out.update({"entities": len(live),
                        "lastEntity": iso(max((e.updated_ms or e.created_ms for e in live), default=None)),
                        "conflicts": sum(1 for e in live if e.conflict)})
        return out

    def details(self, dataset: Dataset) -> dict[str, Any]:
        forms = self.project.forms

        def form_ref(form_id: str) -> dict[str, Any]:
            current = forms[form_id].current
            return {"xmlFormId": form_id, "name": current.title if current else None}

        linked = [f for f, form in forms.items() if form.current and f"{dataset.name}.csv" in form.current.attachments]
        return {**self.summary(dataset), "sourceForms": [form_ref(f) for f in dataset.source_forms],
                "linkedForms": [form_ref(f) for f in linked],
                "properties": [{"name": p.name, "publishedAt": iso(p.published_ms), "odataName": p.name,
                                "forms": [form_ref(f) for f in p.forms]} for p in dataset.properties.values()]}

    def body(self) -> dict[str, Any]:
        raw = self.router.body or b"{}"
        try:
            parsed = json.loads(raw)
        except ValueError:
            raise Problem(400, 400.1, f"Could not parse the given data ({len(raw)} chars) as json.") from None
        if not isinstance(parsed, dict):
            raise Problem(400, 400.1, f"Could not parse the given data ({len(raw)} chars) as json.")
        return parsed

    def create_dataset(self) -> Reply:
        name = self.body().get("name")
        if not isinstance(name, str) or not name:
            raise Problem(400, 400.2, "Required parameter name missing.")
        if (self.project.id, name) in self.store.datasets:
            raise Problem(409, 409.3, f"A resource already exists with name,projectId value(s) of"
                                      f" {name},{self.project.id}.",
                          {"fields": ["name", "projectId"], "values": [name, str(self.project.id)]})
        return json_reply(self.summary(self.store.create(self.project.id, name, self.now)), write=True)

    def create_property(self, dataset: Dataset) -> Reply:
        name = self.body().get("name")
        if not isinstance(name, str) or not name:
            raise Problem(400, 400.2, "Required parameter name missing.")
        if name in dataset.properties:
            raise Problem(409, 409.3, f"A resource already exists with name,datasetId value(s) of"
                                      f" {name},{dataset.id}.",
                          {"fields": ["name", "datasetId"], "values": [name, str(dataset.id)]})
        dataset.add_property(name, self.now)
        return json_reply(_SUCCESS, write=True)

    # ------------------------------------------------------------------ entities

    def entities(self, dataset: Dataset, rest: list[str]) -> Reply:
        method = self.router.method
        if not rest and method == "GET":
            deleted = self.router.query.get("deleted") == "true"
            chosen = [e for e in dataset.entities.values() if (e.deleted_ms is not None) == deleted]
            return json_reply([self.entity_json(e, with_data=False) for e in chosen])
        if not rest and method == "POST":
            return self.create_entities(dataset)
        entity = dataset.entities.get(rest[0]) if len(rest) == 1 else None
        if entity is None or entity.deleted_ms is not None:
            raise Problem(404, 404.1, NOT_FOUND)
        if method == "GET":
            return json_reply(self.entity_json(entity, with_data=True))
        if method == "PATCH":
            return self.patch(dataset, entity)
        if method == "DELETE":
            entity.deleted_ms = self.now
            return json_reply(_SUCCESS, write=True)
        raise Problem(404, 404.1, NOT_FOUND)

    def entity_json(self, entity: Entity, *, with_data: bool) -> dict[str, Any]:
        version: dict[str, Any] = {
            "label": entity.label, "current": True, "createdAt": iso(entity.version_ms),
            "creatorId": entity.version_creator.id, "userAgent": entity.user_agent, "version": entity.version,
            "baseVersion": entity.base_version, "conflictingProperties": None,
        }
        if with_data:
            version.update(data=dict(entity.data), dataReceived=dict(entity.received), branchId=None,
                           trunkVersion=None, branchBaseVersion=None)
        return {"uuid": entity.uuid, "creatorId": entity.creator.id, "conflict": entity.conflict,
                "createdAt": iso(entity.created_ms), "updatedAt": iso(entity.updated_ms),
                "deletedAt": iso(entity.deleted_ms), "currentVersion": version}

    def checked_data(self, dataset: Dataset, data: Any) -> dict[str, str]:
        if not isinstance(data, dict):
            raise Problem(400, 400.11, "Invalid input data type: expected (data) to be (object)")
        for name, value in data.items():
            if name not in dataset.properties:
                reason = f"You specified the dataset property [{name}] which does not exist."
                raise Problem(400, 400.28, f"The entity is invalid. {reason}", {"reason": reason})
            if not isinstance(value, str):
                raise Problem(400, 400.11, f"Invalid input data type: expected ({name}) to be (string)")
        return dict(data)

    def draft(self, dataset: Dataset, item: Any, taken: set[str]) -> tuple[str, str, dict[str, str]]:
        """A valid ``{uuid?, label, data}``: (uuid, label, data); raises Central's problem otherwise."""
        if not isinstance(item, dict):
            raise Problem(400, 400.11, "Invalid input data type: expected (entity) to be (object)")
        entity_id = normalized_uuid(item.get("uuid")) if item.get("uuid") else str(uuid4())
        label = item.get("label")
        if not isinstance(label, str) or not label.strip():
            raise Problem(400, 400.28, "The entity is invalid. Label empty.")
        data = self.checked_data(dataset, item.get("data", {}))
        if entity_id in dataset.entities or entity_id in taken:
            raise Problem(409, 409.3, f"A resource already exists with uuid value(s) of {entity_id}.",
                          {"fields": ["uuid"], "values": [entity_id]})
        taken.add(entity_id)
        return entity_id, label, data

    def create_entities(self, dataset: Dataset) -> Reply:
        body = self.body()
        bulk = "entities" in body
        if bulk and (not isinstance(body["entities"], list) or not body["entities"]):
            raise Problem(400, 400.11, "Invalid input data type: expected (entities) to be (non-empty array)")
        if bulk and not isinstance((body.get("source") or {}).get("name"), str):
            raise Problem(400, 400.2, "Required parameter source.name missing.")
        taken: set[str] = set()
        drafts = [self.draft(dataset, item, taken) for item in (body["entities"] if bulk else [body])]
        user, agent = self.router.user, self.router.headers.get("User-Agent") or ""
        created = []
        for entity_id, label, data in drafts:
            entity = Entity(entity_id, self.store.next_seq(), label, data, user, self.now, agent, user, self.now)
            dataset.entities[entity_id] = entity
            created.append(entity)
        return json_reply(_SUCCESS if bulk else self.entity_json(created[0], with_data=True), write=True)

    def patch(self, dataset: Dataset, entity: Entity) -> Reply:
        query = self.router.query
        if query.get("force") != "true" and query.get("baseVersion") != str(entity.version):
            provided = query.get("baseVersion", "undefined")  # Central compares with what it got, even nothing
            raise Problem(409, 409.15, f"Current version of the Entity is '{entity.version}' and you provided"
                                       f" '{provided}'. Please correct the version number or pass '?force=true'"
                                       " in the URL to forcefully update the Entity.",
                          {"current": str(entity.version),
                           **({"provided": query["baseVersion"]} if "baseVersion" in query else {})})
        body = self.body()
        label = body.get("label")
        if label is not None and (not isinstance(label, str) or not label.strip()):
            raise Problem(400, 400.8, "Unexpected label value (empty string); Label cannot be blank.",
                          {"field": "label", "value": "(empty string)", "reason": "Label cannot be blank."})
        data = self.checked_data(dataset, body.get("data", {}))
        entity.change(label=label, data=data, user=self.router.user,
                      user_agent=self.router.headers.get("User-Agent") or "", now=self.now)
        return json_reply(self.entity_json(entity, with_data=True), write=True)

    # ------------------------------------------------------------------ OData

    def odata(self, dataset: Dataset, rest: list[str]) -> Reply:
        if rest != ["Entities"]:
            raise Problem(404, 404.1, NOT_FOUND)
        query = self.router.query
        compiled = entity_filter(query["$filter"]) if "$filter" in query else None
        show_deleted = compiled is not None and compiled.mentions_deleted
        selected = sorted((e for e in dataset.entities.values()
                           if (show_deleted or e.deleted_ms is None) and (compiled is None or compiled.matches(e))),
                          key=lambda e: (e.created_ms, e.seq), reverse=True)
        start = 0
        if "$skiptoken" in query:
            after = parse_skiptoken(query["$skiptoken"]).get("uuid")
            start = next((i + 1 for i, e in enumerate(selected) if e.uuid == after), None)
            if start is None:
                raise Problem(400, 400.35, "Invalid $skiptoken")
        elif query.get("$skip", "").isdigit():
            start = int(query["$skip"])
        top = int(query["$top"]) if query.get("$top", "").isdigit() else None
        page = selected[start:] if top is None else selected[start:start + top]
        more = top is not None and start + top < len(selected)
        root = f"{self.router.domain}/v1/projects/{self.project.id}/datasets/{dataset.name}.svc"
        footer: dict[str, Any] = {"@odata.context": f"{root}/$metadata#Entities"}
        if more and page:
            footer["@odata.nextLink"] = self.router.next_link({"uuid": page[-1].uuid})
        if query.get("$count") == "true":
            footer["@odata.count"] = len(selected)
        rows = [self.odata_row(dataset, e) for e in page]
        if query.get("$select", "*") != "*":
            wanted = {n.strip() for n in query["$select"].split(",")}
            rows = [{k: v for k, v in row.items() if k in wanted} for row in rows]
        return self.router.feed(rows, footer, eventhash(page))

    @staticmethod
    def odata_row(dataset: Dataset, entity: Entity) -> dict[str, Any]:
        system = {"createdAt": iso(entity.created_ms), "creatorId": str(entity.creator.id),
                  "creatorName": entity.creator.display_name, "updates": entity.updates,
                  "updatedAt": iso(entity.updated_ms), "deletedAt": iso(entity.deleted_ms),
                  "version": entity.version, "conflict": entity.conflict}
        row: dict[str, Any] = {"__id": entity.uuid, "label": entity.label, "__system": system}
        row.update({name: entity.data.get(name) for name in dataset.properties})
        return row


def entity_filter(text: str) -> CompiledFilter:
    """The shared ``$filter`` compiler, with the entities' ``__system/createdAt`` (positions in 400.18
    messages may be off after it)."""
    for name in _SUBMISSION_ONLY:
        if name in text:
            at = text.index(name)
            raise Problem(501, 501.5, "The given OData filter expression references fields not supported by this"
                                      f" server: {name} at {at}", {"at": at, "text": name})
    try:
        return CompiledFilter(text.replace("__system/createdAt", "__system/submissionDate"))
    except FilterError as error:
        raise Problem(error.status, error.code, error.message, error.details) from None


def normalized_uuid(entity_id: Any) -> str:
    """An entity id as Central stores it (lowercase, no ``uuid:``); Central's 400.11 unless a version 4 UUID."""
    if not isinstance(entity_id, str):
        raise Problem(400, 400.11, "Invalid input data type: expected (uuid) to be (string)",
                      {"field": "uuid", "expected": "string"})
    match = _UUID_V4.match(entity_id)
    if match is None:
        expected = "valid version 4 UUID"
        raise Problem(400, 400.11, f"Invalid input data type: expected (uuid) to be ({expected})",
                      {"field": "uuid", "expected": expected})
    return match.group(2).lower()
