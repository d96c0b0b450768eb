"""Export files → :class:`SubmissionRecord` objects: ODK Central's ``submissions.csv.zip``, KoboToolbox XLSX and JSON.

Every importer reads and checks the whole file first and refuses a malformed or mismatched
one with a :class:`connectors.errors.SourceError` before yielding anything. Records carry
``source="file:odk_csv_zip"`` / ``"file:kobo_xlsx"`` / ``"file:kobo_json"`` and the file name
as ``project``.
"""

from __future__ import annotations

from pathlib import Path

from connectors.exports.common import ExportImport, refuse
from connectors.exports.kobo_json import read_kobo_json
from connectors.exports.kobo_xlsx import read_kobo_xlsx
from connectors.exports.odk_csv_zip import read_odk_csv_zip
from connectors.form_schema import FormSchema

READERS = {".zip": read_odk_csv_zip, ".xlsx": read_kobo_xlsx, ".json": read_kobo_json}


def import_export(path: Path, schema: FormSchema) -> ExportImport:
    """Read an export file by its kind: ``.zip`` (ODK Central), ``.xlsx`` or ``.json`` (KoboToolbox)."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise refuse(f"export {path.name}", "unknown kind of file: expected ODK Central's .csv.zip, or a"
                                             " KoboToolbox .xlsx or .json export")
    return reader(path, schema)


__all__ = ["ExportImport", "import_export", "read_kobo_json", "read_kobo_xlsx", "read_odk_csv_zip"]
