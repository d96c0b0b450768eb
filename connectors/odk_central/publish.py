"""Publish an XLSForm of ``forms/`` with its media files: a new form, a new version, or nothing to do.

The XLSForm is converted with the project's own pyxform (``connectors.xlsform``, the one the form tests validate),
and Central gets the XForm XML: a Central without its XLSForm converter service (``502.2``) can publish, and what
phones run is the XForm the tests checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from connectors.errors import PROTOCOL, SourceError
from connectors.xlsform import XlsForm, read_xlsform

if TYPE_CHECKING:
    from connectors.odk_central.client import OdkCentralClient


@dataclass(frozen=True)
class PublishResult:
    form_id: str
    version: str
    action: str  # "created", "published", "unchanged"
    media: tuple[str, ...]


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
    definition = info.xform
    if info.form_id not in existing:
        client.forms.create(project_id, definition, attachments=attachments)
        action = "created"
    else:
        client.forms.publish_version(project_id, info.form_id, definition, attachments=attachments)
        action = "published"
    if info.entity_lists:
        _check_entity_lists(client, project_id, info)
    return PublishResult(info.form_id, info.version, action, info.media)


def _check_entity_lists(client: OdkCentralClient, project_id: int, info: XlsForm) -> None:
    linked = {a.get("name") for a in client.forms.attachments(project_id, info.form_id) if a.get("datasetExists")}
    unlinked = [name for name in info.entity_lists if f"{name}.csv" not in linked]
    if unlinked:
        names = ", ".join(f"`{name}`" for name in unlinked)
        raise SourceError(f"{client.label}: form `{info.form_id}` was published in project {project_id}, but Central"
                          f" does not serve it the entity list {names}: phones would get no list to choose from",
                          kind=PROTOCOL)
