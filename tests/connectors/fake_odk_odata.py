"""The fake ODK Central's OData endpoints: service document, ``Submissions`` feed, repeat tables, entities.

Paging as Central does it: newest first, ``$top`` rows, then an ``@odata.nextLink`` carrying the other
options percent-encoded and a ``$skiptoken`` of the last row; the last page has no link. Deleted rows
appear only when the ``$filter`` mentions ``__system/deletedAt``. Rows are stored with every repeat
expanded; without ``$expand=*`` the arrays are left out, with ``$wkt=true`` geopoints become WKT.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from tests.connectors.fake_odata_filter import CompiledFilter, FilterError
from tests.connectors.fake_odk_model import Form, Submission
from tests.connectors.fake_odk_replies import (
    JSON_TYPE,
    NOT_FOUND,
    Problem,
    Reply,
    dumps,
    eventhash,
    form_encode,
    json_reply,
    lead,
    parse_skiptoken,
    skiptoken,
    tail,
)
from tests.connectors.fake_xforms import geojson_to_wkt


class ODataRoutes:
    """Mixed into the router, which provides ``state``, ``domain``, ``path``, ``query`` and ``pairs``."""

    domain: str
    path: str
    query: dict[str, str]
    pairs: list[tuple[str, str]]

    def service_root(self, form: Form) -> str:
        return f"{self.domain}/v1/projects/{form.project_id}/forms/{quote(form.form_id, safe='')}.svc"

    def odata(self, form: Form, rest: list[str]) -> Reply:
        if not rest:
            return self.service_document(form)
        if rest[0].startswith("Submissions(") and len(rest) <= 2:
            return self.single(form, rest[0], rest[1:])
        tables = rest[0].split(".")
        if len(rest) != 1 or tables[0] != "Submissions":
            raise Problem(404, 404.1, NOT_FOUND)
        if len(tables) > 1:
            if self.repeat_field(form, tables[1:]) is None:
                raise Problem(404, 404.1, NOT_FOUND, etag=form.live_hash())
            return self.repeat_table(form, tables[1:])
        return self.submissions(form)

    def service_document(self, form: Form) -> Reply:
        tables = [f.path[1:].replace("/", ".") for f in (form.current.fields if form.current else ())
                  if f.type == "repeat"]
        sets = [{"name": "Submissions", "kind": "EntitySet", "url": "Submissions"}] + [
            {"name": f"Submissions.{t}", "kind": "EntitySet", "url": f"Submissions.{t}"} for t in tables
        ]
        payload = {"@odata.context": f"{self.service_root(form)}/$metadata", "value": sets}
        return json_reply(payload, odata=True, content_type=f"{JSON_TYPE}; odata.metadata=minimal")

    @staticmethod
    def repeat_field(form: Form, parts: list[str]) -> Any:
        path = "/" + "/".join(parts)
        for xform, _ in reversed(form.published):
            for f in xform.fields:
                if f.path == path and f.type == "repeat":
                    return f
        return None

    def options(self) -> tuple[CompiledFilter | None, int | None, int, dict | None, bool]:
        if "$select" in self.query and "$expand" in self.query:
            raise Problem(501, 501.11, "This server doesn't support $select query parameter with $expand.",
                          odata=False)
        try:
            compiled = CompiledFilter(self.query["$filter"]) if "$filter" in self.query else None
        except FilterError as error:
            raise Problem(error.status, error.code, error.message, error.details) from None
        top = int(self.query["$top"]) if self.query.get("$top", "").isdigit() else None
        token = parse_skiptoken(self.query["$skiptoken"]) if "$skiptoken" in self.query else None
        skip = int(self.query["$skip"]) if token is None and self.query.get("$skip", "").isdigit() else 0
        return compiled, top, skip, token, self.query.get("$count") == "true"

    def next_link(self, token: dict[str, str]) -> str:
        pairs = [(k, v) for k, v in self.pairs if k not in ("$skip", "$skiptoken")] + [("$skiptoken", skiptoken(token))]
        return f"{self.domain}{self.path}?{form_encode(pairs)}"

    def submissions(self, form: Form) -> Reply:
        compiled, top, skip, token, count = self.options()
        if token is not None and "instanceId" not in token:
            raise Problem(400, 400.35, "Invalid $skiptoken")
        show_deleted = compiled is not None and compiled.mentions_deleted

        def selected(sub: Submission) -> bool:
            return (show_deleted or sub.deleted_ms is None) and (compiled is None or compiled.matches(sub))

        after = form.by_id.get(token["instanceId"]) if token else None
        page: list[Submission] = []
        more = False
        if token is None or after is not None:
            for sub in form.newest_first(before=after):
                if not selected(sub):
                    continue
                if skip:
                    skip -= 1
                elif top is None or len(page) < top:
                    page.append(sub)
                else:
                    more = True
                    break
        rows = [self.render(form, sub) for sub in page]
        footer: dict[str, Any] = {"@odata.context": f"{self.service_root(form)}/$metadata#Submissions"}
        if more and page:
            footer["@odata.nextLink"] = self.next_link({"instanceId": page[-1].instance_id})
        if count:
            footer["@odata.count"] = sum(1 for s in form.subs if selected(s))
        return self.feed(rows, footer, eventhash(page))

    def render(self, form: Form, sub: Submission) -> dict[str, Any]:
        row = sub.row if self.query.get("$expand") == "*" else _strip_repeats(sub.row)
        if self.query.get("$wkt") == "true":
            schema = form.schemas[sub.system["formVersion"]]
            for path in schema.geo_paths:
                row = _wkt_at(row, path[1:].split("/"))
        if "$select" in self.query and self.query["$select"] != "*":
            row = _select(row, [n.strip() for n in self.query["$select"].split(",")])
        return row

    def feed(self, rows: list[dict[str, Any]], footer: dict[str, Any], etag: str) -> Reply:
        body = b'{"value":[' + b",".join(dumps(r) for r in rows) + b"]," + dumps(footer)[1:]
        headers = lead(False, True) + [("ETag", etag), ("Content-Type", JSON_TYPE)] + tail()
        return Reply(200, headers + [("Transfer-Encoding", "chunked")], body, chunked=True)

    def repeat_rows(self, sub: Submission, parts: list[str]) -> Iterator[dict[str, Any]]:
        """The rows of a repeat table contributed by one submission, with their parent key."""
        def walk(node: dict[str, Any], index: int, parent_key: str, parent_id: str) -> Iterator[dict[str, Any]]:
            value = node.get(parts[index])
            items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
            is_repeat = isinstance(value, list)
            for item in items:
                if index == len(parts) - 1:
                    row = {}
                    for key, field_value in item.items():
                        if isinstance(field_value, list) and f"{key}@odata.navigationLink" in item and \
                                self.query.get("$expand") != "*":
                            continue
                        row[key] = field_value
                        if key == "__id":
                            row[parent_key] = parent_id
                    yield row
                elif is_repeat:
                    yield from walk(item, index + 1, f"__Submissions-{'-'.join(parts[: index + 1])}-id", item["__id"])
                else:
                    yield from walk(item, index + 1, parent_key, parent_id)

        yield from walk(sub.row, 0, "__Submissions-id", sub.instance_id)

    def repeat_table(self, form: Form, parts: list[str]) -> Reply:
        compiled, top, skip, token, count = self.options()
        if token is not None and "repeatId" not in token:
            raise Problem(400, 400.35, "Invalid $skiptoken")
        started = token is None
        page: list[dict[str, Any]] = []
        more, total = False, 0
        for sub in form.newest_first():
            if sub.deleted_ms is not None or (compiled is not None and not compiled.matches(sub)):
                continue
            for row in self.repeat_rows(sub, parts):
                total += 1
                if not started:
                    started = row["__id"] == token["repeatId"]
                elif skip:
                    skip -= 1
                elif top is None or len(page) < top:
                    page.append(row)
                else:
                    more = True
            if more and not count:
                break
        if not started:
            raise Problem(400, 400.36, "The $skiptoken repeatId was not found.")
        table = ".".join(parts)
        footer: dict[str, Any] = {"@odata.context": f"{self.service_root(form)}/$metadata#Submissions.{table}"}
        if more and page:
            footer["@odata.nextLink"] = self.next_link({"repeatId": page[-1]["__id"]})
        if count:
            footer["@odata.count"] = total
        return self.feed(page, footer, form.live_hash())

    def single(self, form: Form, key_segment: str, rest: list[str]) -> Reply:
        instance_id = key_segment[len("Submissions('"):-2] if key_segment.endswith("')") else ""
        sub = form.by_id.get(instance_id)
        if sub is None or sub.deleted_ms is not None:
            raise Problem(404, 404.1, NOT_FOUND)
        if not rest:
            payload = {"value": [self.render(form, sub)],
                       "@odata.context": f"{self.service_root(form)}/$metadata#Submissions"}
            return json_reply(payload, odata=True)
        if self.repeat_field(form, rest) is None:
            raise Problem(404, 404.1, NOT_FOUND)
        payload = {"value": list(self.repeat_rows(sub, rest)),
                   "@odata.context": f"{self.service_root(form)}/$metadata#Submissions.{'.'.join(rest)}"}
        return json_reply(payload, odata=True)


def _strip_repeats(node: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in node.items():
        if isinstance(value, list) and f"{key}@odata.navigationLink" in node:
            continue
        out[key] = _strip_repeats(value) if isinstance(value, dict) and key != "__system" else value
    return out


def _wkt_at(node: dict[str, Any], parts: list[str]) -> dict[str, Any]:
    value = node.get(parts[0])
    if value is None:
        return node
    copy = dict(node)
    if len(parts) == 1:
        copy[parts[0]] = geojson_to_wkt(value) if isinstance(value, dict) else value
    elif isinstance(value, list):
        copy[parts[0]] = [_wkt_at(item, parts[1:]) for item in value]
    elif isinstance(value, dict):
        copy[parts[0]] = _wkt_at(value, parts[1:])
    return copy


def _select(row: dict[str, Any], names: list[str]) -> dict[str, Any]:
    wanted = set(names)
    system_keys = {n.split("/", 1)[1] for n in names if n.startswith("__system/")}
    out = {}
    for key, value in row.items():
        if key in wanted:
            out[key] = value
        elif key == "__system" and system_keys:
            out[key] = {k: v for k, v in value.items() if k in system_keys}
    return out
