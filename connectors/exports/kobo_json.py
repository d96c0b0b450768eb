"""KoboToolbox submissions saved as JSON → :class:`SubmissionRecord` objects in the canonical shape.

KoboToolbox has no JSON export task: the JSON “export” is what the data API returns
(``GET /api/v2/assets/{uid}/data/?format=json``), saved either as the list of submissions or
as a whole page ``{"count", "next", "previous", "results"}``. A page whose ``next`` is not
null is refused (the other pages are missing). Documents are normalized exactly as the sync
does (:mod:`connectors.kobotoolbox.documents`), except that a key that is not a field of the
form is refused rather than skipped.
"""

from __future__ import annotations

import json
from pathlib import Path

from connectors.exports.common import DEFAULT_LIMITS, ExportImport, ImportLimits, decode_text, read_source, refuse
from connectors.form_schema import FormSchema
from connectors.kobotoolbox.documents import DocumentError, record_from_document

SOURCE = "file:kobo_json"


def read_kobo_json(source: Path | bytes, schema: FormSchema, *, name: str | None = None,
                   limits: ImportLimits = DEFAULT_LIMITS) -> ExportImport:
    """Read and check every submission of a KoboToolbox JSON file before anything is yielded."""
    content, name = read_source(source, name)
    what = f"KoboToolbox export {name}"
    limits.check_size(len(content), name, what)
    try:
        data = json.loads(decode_text(content, what, name))
    except ValueError as exc:
        raise refuse(what, "not_json", f"not JSON ({exc})") from None
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        if data.get("next"):
            raise refuse(what, "one_page", "it is one page of several (`next` is set): save every page, or all"
                         " submissions at once")
        data = data["results"]
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise refuse(what, "not_submissions", "expected a list of KoboToolbox submissions (or a data API page with"
                     " `results`)")
    limits.rows(data, name, what, header=0)
    records, seen = [], set()
    for number, document in enumerate(data, start=1):
        try:
            record = record_from_document(document, schema, project=name, form_id=schema.form_id, source=SOURCE,
                                          strict=True)
        except DocumentError as exc:
            raise refuse(what, "bad_submission", f"submission {number} (`_id` {document.get('_id')}): {exc}",
                         number=number) from None
        if record.instance_id in seen:
            raise refuse(what, "submission_twice", f"submission `{record.instance_id}` is in the file twice")
        seen.add(record.instance_id)
        records.append(record)
    return ExportImport(name, content, records)
