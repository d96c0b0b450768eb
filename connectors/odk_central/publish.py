"""Publish an XLSForm of ``forms/`` with its media files: a new form, a new version, or nothing to do.

The XLSForm is converted here, with the project's own pyxform (the one the form tests validate), and Central gets
the XForm XML: a Central without its XLSForm converter service (``502.2``) can publish, and what phones run is the
XForm the tests checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import load_workbook
from pyxform.xls2xform import convert

from connectors.errors import PROTOCOL, SourceError

if TYPE_CHECKING:
    from connectors.odk_central.client import OdkCentralClient

_FROM_FILE = re.compile(r"^select_(?:one|multiple)_from_file\s+(\S+)$")


@dataclass(frozen=True)
class XlsFormInfo:
    form_id: str
    version: str
    media: tuple[str, ...]  # files the form reads (select_*_from_file) that are uploaded with it
    entity_lists: tuple[str, ...]  # entity lists it reads or updates: Central serves them, never uploaded


@dataclass(frozen=True)
class PublishResult:
    form_id: str
    version: str
    action: str  # "created", "published", "unchanged"
    media: tuple[str, ...]


def read_xlsform(path: Path) -> XlsFormInfo:
    """The form id, version and media file names written in an XLSForm."""
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        settings = _sheet_dicts(workbook["settings"])
        survey_types = [str(row.get("type") or "").strip() for row in _sheet_dicts(workbook["survey"])]
        entities = _sheet_dicts(workbook["entities"]) if "entities" in workbook.sheetnames else []
    finally:
        workbook.close()
    if not settings or not settings[0].get("form_id") or not settings[0].get("version"):
        raise ValueError(f"{path.name}: the settings sheet needs a form_id and a version")
    entity_lists = sorted({str(row["list_name"]).strip() for row in entities if row.get("list_name")})
    files = {m.group(1) for t in survey_types if (m := _FROM_FILE.match(t))}
    media = sorted(f for f in files if Path(f).stem not in entity_lists)
    return XlsFormInfo(str(settings[0]["form_id"]), str(settings[0]["version"]), tuple(media), tuple(entity_lists))


def _sheet_dicts(sheet) -> list[dict]:
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    return [dict(zip(header, row)) for row in rows if any(v is not None for v in row)]


def xform(xlsform: Path) -> bytes:
    """The XForm XML of an XLSForm, converted with pyxform; ``ValueError`` with pyxform's words if it cannot."""
    try:
        return convert(xlsform=str(xlsform)).xform.encode()
    except Exception as exc:  # pyxform raises many kinds; all mean "not a usable form"
        raise ValueError(f"{xlsform.name} does not convert to an XForm: {exc}") from None


def publish_xlsform(client: OdkCentralClient, project_id: int, xlsform: Path, media_dir: Path) -> PublishResult:
    """Make the form's current version live in the project, uploading the media files it reads.

    Nothing is sent when that version is already published. The entity lists the form reads are Central's to serve
    (their ``<list>.csv`` is never uploaded): once published, each must be linked to its list.
    """
    info = read_xlsform(xlsform)
    missing = [name for name in info.media if not (media_dir / name).exists()]
    if missing:
        raise FileNotFoundError(f"{xlsform.name} reads media files missing from {media_dir}: {', '.join(missing)}")
    attachments = {name: media_dir / name for name in info.media}
    existing = {form["xmlFormId"] for form in client.forms.list(project_id)}
    if info.form_id in existing and any(
            v.get("version") == info.version for v in client.forms.versions(project_id, info.form_id)):
        return PublishResult(info.form_id, info.version, "unchanged", info.media)
    definition = xform(xlsform)
    if info.form_id not in existing:
        client.forms.create(project_id, definition, attachments=attachments)
        action = "created"
    else:
        client.forms.publish_version(project_id, info.form_id, definition, attachments=attachments)
        action = "published"
    if info.entity_lists:
        _check_entity_lists(client, project_id, info)
    return PublishResult(info.form_id, info.version, action, info.media)


def _check_entity_lists(client: OdkCentralClient, project_id: int, info: XlsFormInfo) -> None:
    linked = {a.get("name") for a in client.forms.attachments(project_id, info.form_id) if a.get("datasetExists")}
    unlinked = [name for name in info.entity_lists if f"{name}.csv" not in linked]
    if unlinked:
        names = ", ".join(f"`{name}`" for name in unlinked)
        raise SourceError(f"{client.label}: form `{info.form_id}` was published in project {project_id}, but Central"
                          f" does not serve it the entity list {names}: phones would get no list to choose from",
                          kind=PROTOCOL)
