"""Forms of an ODK Central project: discovery and publishing (new forms and new versions)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from connectors.errors import NOT_FOUND, SourceError
from connectors.odk_central.problem import central_says
from connectors.odk_central.session import CentralSession

log = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XML = "application/xml"
_MEDIA_TYPES = {".csv": "text/csv", ".geojson": "application/geo+json", ".xml": "text/xml"}


def form_path(project_id: int | str, form_id: str) -> str:
    """``/projects/{pid}/forms/{xmlFormId}`` with the form id percent-encoded as Central expects."""
    return f"/projects/{int(project_id)}/forms/{quote(form_id, safe='')}"


class FormService:
    """List, inspect and publish forms. Publishing needs the Project Manager role."""

    def __init__(self, session: CentralSession) -> None:
        self._session = session

    def list(self, project_id: int | str) -> list[dict[str, Any]]:
        """All forms of the project with extended metadata (submission counts, last submission)."""
        return self._session.get(f"/projects/{int(project_id)}/forms", headers={"X-Extended-Metadata": "true"})

    def get(self, project_id: int | str, form_id: str) -> dict[str, Any]:
        return self._session.get(form_path(project_id, form_id), headers={"X-Extended-Metadata": "true"})

    def fields(self, project_id: int | str, form_id: str) -> list[dict[str, Any]]:
        """The schema as a flat list of ``{path, name, type, binary, selectMultiple}``."""
        return self._session.get(f"{form_path(project_id, form_id)}/fields?odata=true")

    def versions(self, project_id: int | str, form_id: str) -> list[dict[str, Any]]:
        """Every published version of the form, newest first."""
        return self._session.get(f"{form_path(project_id, form_id)}/versions")

    def attachments(self, project_id: int | str, form_id: str) -> list[dict[str, Any]]:
        """The published version's media files: ``{name, type, exists, blobExists, datasetExists}``."""
        return self._session.get(f"{form_path(project_id, form_id)}/attachments")

    def create(
        self,
        project_id: int | str,
        definition: bytes | Path,
        *,
        attachments: Mapping[str, bytes | Path] | None = None,
        form_id_fallback: str | None = None,
    ) -> dict[str, Any]:
        """Upload a new form (XLSForm ``.xlsx`` or XForm XML) and publish it.

        Without media files this is one ``POST …/forms?publish=true``; with media files the
        form is created as a draft, each file is uploaded, then the draft is published.
        ``form_id_fallback`` names an XLSForm that has no ``form_id`` setting (default: the
        file name). Returns the published form with extended metadata.
        """
        body, content_type, fallback = _definition(definition, form_id_fallback)
        headers = {"Content-Type": content_type}
        if content_type == XLSX and fallback:
            headers["X-XlsForm-FormId-Fallback"] = fallback
        publish_now = "true" if not attachments else "false"
        url = self._session.api_url(f"/projects/{int(project_id)}/forms?publish={publish_now}")
        try:
            form = self._session.request("POST", url, headers=headers, data=body)
        except SourceError as error:
            if not _only_a_deleted_form(error):
                raise
            log.warning("%s: a form deleted earlier in project %s had this form's id; uploading it anyway"
                        " (Central's warning 400.16)", self._session.label, project_id)
            form = self._session.request("POST", f"{url}&ignoreWarnings=true", headers=headers, data=body)
        log.info("%s: created form %s in project %s", self._session.label, form.get("xmlFormId"), project_id)
        if not attachments:
            return self.get(project_id, form["xmlFormId"])
        return self._publish_draft(project_id, form["xmlFormId"], attachments, version=None)

    def publish_version(
        self,
        project_id: int | str,
        form_id: str,
        definition: bytes | Path,
        *,
        version: str | None = None,
        attachments: Mapping[str, bytes | Path] | None = None,
    ) -> dict[str, Any]:
        """Publish a new version of an existing form: draft, media files, publish.

        ``version`` overrides the version written in the definition. A version that is
        already published raises :class:`SourceError` (kind ``conflict``) telling to raise it.
        """
        body, content_type, _ = _definition(definition, None)
        draft = self._session.api_url(f"{form_path(project_id, form_id)}/draft")
        self._session.request("POST", draft, headers={"Content-Type": content_type}, data=body)
        return self._publish_draft(project_id, form_id, attachments or {}, version=version)

    def _publish_draft(
        self, project_id: int | str, form_id: str, attachments: Mapping[str, bytes | Path], *, version: str | None
    ) -> dict[str, Any]:
        draft = f"{form_path(project_id, form_id)}/draft"
        for name, content in attachments.items():
            data = content.read_bytes() if isinstance(content, Path) else content
            media_type = _MEDIA_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")
            url = self._session.api_url(f"{draft}/attachments/{quote(name, safe='')}")
            try:
                self._session.request("POST", url, headers={"Content-Type": media_type}, data=data)
            except SourceError as error:
                if error.kind != NOT_FOUND:
                    raise
                message = (f"{self._session.label}: form `{form_id}` does not use a media file named `{name}`"
                           f"{central_says(error.response)}")
                raise SourceError(message, kind=NOT_FOUND, request=error.request, response=error.response) from None
        query = f"?version={quote(version, safe='')}" if version is not None else ""
        self._session.request("POST", self._session.api_url(f"{draft}/publish{query}"))
        published = self.get(project_id, form_id)
        log.info("%s: published form %s version %s", self._session.label, form_id, published.get("version"))
        return published


def _only_a_deleted_form(error: SourceError) -> bool:
    """Whether Central's only objection (``400.16``) is that a deleted form of the project had the same id."""
    response = error.response
    if response is None or response.code != "400.16" or not response.details:
        return False
    warnings = response.details.get("warnings") or {}
    workflow = warnings.get("workflowWarnings") or []
    return set(warnings) == {"workflowWarnings"} and bool(workflow) and all(
        isinstance(w, dict) and w.get("type") == "deletedFormExists" for w in workflow)


def _definition(definition: bytes | Path, fallback: str | None) -> tuple[bytes, str, str | None]:
    """The bytes, content type and form-id fallback of an XLSX or XML form definition."""
    if isinstance(definition, Path):
        body = definition.read_bytes()
        fallback = fallback or definition.stem
    else:
        body = definition
    content_type = XLSX if body[:4] == b"PK\x03\x04" else XML
    return body, content_type, fallback
