"""Forms of a KoboToolbox account: deploy an XLSForm with its media files, and read a form's schema."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from urllib3 import encode_multipart_formdata

from connectors.errors import PROTOCOL, REJECTED, UNAVAILABLE, SourceError
from connectors.form_schema import FormSchema
from connectors.kobotoolbox.session import KoboSession

log = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MEDIA_TYPES = {".csv": "text/csv", ".geojson": "application/geo+json", ".xml": "text/xml"}


def asset_path(uid: str, rest: str = "") -> str:
    return f"/assets/{quote(uid, safe='')}/{rest}"


class AssetService:
    """Assets (projects) of the account. Deploying needs the “Edit form” permission."""

    def __init__(self, session: KoboSession) -> None:
        self._session = session

    def get(self, uid: str) -> dict[str, Any]:
        return self._session.get(asset_path(uid), [("format", "json")])

    def schema(self, uid: str, *, form_id: str | None = None) -> FormSchema:
        """The typed fields of the asset's form, from its ``content`` (its title: the asset's name, where kpi keeps
        the form's ``form_title``)."""
        asset = self.get(uid)
        content = asset.get("content")
        if not isinstance(content, dict):
            raise SourceError(f"{self._session.label}: asset `{uid}` has no form content", kind=PROTOCOL)
        settings = content.get("settings") if isinstance(content.get("settings"), dict) else {}
        if asset.get("name") and not settings.get("form_title"):
            content = {**content, "settings": {**settings, "form_title": asset["name"]}}
        try:
            return FormSchema.from_kobo_content(content, form_id=form_id)
        except ValueError as exc:
            raise SourceError(f"{self._session.label}: the form of asset `{uid}` cannot be read ({exc});"
                              " pass its XLSForm as the schema", kind=PROTOCOL) from None

    def deploy(
        self,
        xlsform: Path | bytes,
        *,
        asset_uid: str | None = None,
        media: Mapping[str, bytes | Path] | None = None,
        file_name: str | None = None,
        poll_interval: float = 1.0,
        timeout: float = 300.0,
    ) -> dict[str, Any]:
        """Import an XLSForm, upload its media files, then deploy it; returns the deployed asset.

        Without ``asset_uid`` a new asset is created; with it, that asset's form is replaced
        and the running deployment is redeployed (``PATCH`` with the new ``version_id``).
        Media files (``communes.csv`` …) replace the asset's files of the same name.
        """
        body = xlsform.read_bytes() if isinstance(xlsform, Path) else xlsform
        name = file_name or (xlsform.name if isinstance(xlsform, Path) else "form.xlsx")
        uid = self._import(body, name, asset_uid, poll_interval=poll_interval, timeout=timeout)
        for media_name, content in (media or {}).items():
            self.upload_media(uid, media_name, content)
        return self.redeploy(uid)

    def redeploy(self, uid: str) -> dict[str, Any]:
        """Deploy the asset's current version (``POST`` the first time, then ``PATCH`` with its
        ``version_id``); devices get the asset's media files as they are now. Returns the asset.

        A ``POST`` answered 405 (deployed meanwhile) is followed by the ``PATCH``. A ``PATCH`` answered 500 names
        a version that is no longer the asset's current one (the form changed after it was read): the asset is
        read again and, if its version changed, the ``PATCH`` is sent once more with it.
        """
        asset = self.get(uid)
        deployment = self._session.api_url(asset_path(uid, "deployment/"))
        if not asset.get("has_deployment"):
            try:
                self._session.request("POST", deployment, json_body={"active": True})
            except SourceError as exc:
                if exc.status != 405:
                    raise
                log.info("%s: asset %s is already deployed; redeploying it", self._session.label, uid)
            else:
                return self._deployed(uid)
        version = asset.get("version_id")
        try:
            self._patch(deployment, version)
        except SourceError as exc:
            current = self.get(uid).get("version_id") if exc.status == 500 else version
            if current == version:
                raise
            log.info("%s: asset %s changed to version %s while it was redeployed; redeploying that version",
                     self._session.label, uid, current)
            self._patch(deployment, current)
        return self._deployed(uid)

    def _patch(self, deployment: str, version: Any) -> None:
        self._session.request("PATCH", deployment, json_body={"active": True, "version_id": version})

    def _deployed(self, uid: str) -> dict[str, Any]:
        deployed = self.get(uid)
        log.info("%s: deployed asset %s version %s", self._session.label, uid, deployed.get("deployed_version_id"))
        return deployed

    def media_files(self, uid: str) -> list[dict[str, Any]]:
        """The asset's form media files (``file_type=form_media``; a form has a handful)."""
        page = self._session.get(asset_path(uid, "files/"), [("file_type", "form_media"), ("limit", "1000")])
        return list(page.get("results") or [])

    def upload_media(self, uid: str, name: str, content: bytes | Path) -> dict[str, Any]:
        """Upload one media file, replacing the asset's file of the same name."""
        for existing in self.media_files(uid):
            if (existing.get("metadata") or {}).get("filename") == name:
                self._session.request("DELETE", self._session.api_url(asset_path(uid, f"files/{existing['uid']}/")))
        data = content.read_bytes() if isinstance(content, Path) else content
        media_type = _MEDIA_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")
        body, content_type = encode_multipart_formdata([
            ("file_type", "form_media"),
            ("description", "default"),
            ("metadata", json.dumps({"filename": name})),
            ("content", (name, data, media_type)),
        ])
        url = self._session.api_url(asset_path(uid, "files/"))
        return self._session.request("POST", url, headers={"Content-Type": content_type}, data=body)

    def _import(self, body: bytes, name: str, destination: str | None, *, poll_interval: float, timeout: float) -> str:
        fields: list[tuple[str, Any]] = [("library", "false"), ("file", (name, body, XLSX))]
        if destination:
            fields.append(("destination", self._session.api_url(asset_path(destination))))
        multipart, content_type = encode_multipart_formdata(fields)
        task = self._session.request("POST", self._session.api_url("/imports/"), headers={"Content-Type": content_type},
                                    data=multipart)
        task_uid = task.get("uid")
        if not task_uid:
            raise SourceError(f"{self._session.label}: the import answer has no task uid", kind=PROTOCOL)
        deadline = time.monotonic() + timeout
        while True:
            task = self._session.get(f"/imports/{quote(task_uid, safe='')}/", [("format", "json")])
            status, messages = task.get("status"), task.get("messages") or {}
            if status == "complete":
                done = (messages.get("updated") or messages.get("created") or [{}])[0]
                if not done.get("uid"):
                    raise SourceError(f"{self._session.label}: import {task_uid} completed without an asset",
                                      kind=PROTOCOL)
                return done["uid"]
            if status == "error":
                raise SourceError(f"{self._session.label}: the form {name} was refused: "
                                  f"{messages.get('error') or 'no reason given'}", kind=REJECTED)
            if time.monotonic() >= deadline:
                raise SourceError(f"{self._session.label}: import {task_uid} of {name} was not done after"
                                  f" {timeout:g} s (status {status!r})", kind=UNAVAILABLE)
            time.sleep(poll_interval)
