"""Export files → :class:`SubmissionRecord` objects: ODK Central's ``submissions.csv.zip``, KoboToolbox XLSX and JSON.

Every importer reads and checks the whole file first and refuses a malformed or mismatched
one with a :class:`FileRefused` (a :class:`connectors.errors.SourceError` whose ``refusal`` holds a stable code
and its parameters, for the data manager's message) before yielding anything. Records carry
``source="file:odk_csv_zip"`` / ``"file:kobo_xlsx"`` / ``"file:kobo_json"`` and the file name
as ``project``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from connectors.exports.common import DEFAULT_LIMITS, ExportImport, FileRefused, ImportLimits, Refusal, refuse
from connectors.exports.kobo_json import read_kobo_json
from connectors.exports.kobo_xlsx import read_kobo_xlsx
from connectors.exports.odk_csv_zip import read_odk_csv_zip
from connectors.form_schema import FormSchema


def import_export(path: Path, schema: FormSchema, *, known_ids: Mapping[str, str] | None = None,
                  limits: ImportLimits = DEFAULT_LIMITS) -> ExportImport:
    """Read an export file by its kind: ``.zip`` (ODK Central), ``.xlsx`` or ``.json`` (KoboToolbox), refusing one
    beyond ``limits``.

    ``known_ids`` (current → stable instance id, from what the Kobo sync stored) lets a Kobo
    XLSX export name edited submissions by their original id (see :mod:`.kobo_xlsx`).
    """
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return read_kobo_xlsx(path, schema, known_ids=known_ids, limits=limits)
    if suffix == ".zip":
        return read_odk_csv_zip(path, schema, limits=limits)
    if suffix == ".json":
        return read_kobo_json(path, schema, limits=limits)
    raise refuse(f"export {path.name}", "unknown_kind", "unknown kind of file: expected ODK Central's .csv.zip, or"
                 " a KoboToolbox .xlsx or .json export")


__all__ = ["ExportImport", "FileRefused", "ImportLimits", "Refusal", "import_export", "read_kobo_json", "read_kobo_xlsx",
           "read_odk_csv_zip"]
