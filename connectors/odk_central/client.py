"""One ODK Central server: its session and the services that use it."""

from __future__ import annotations

from pathlib import Path

from connectors.http import HttpSettings
from connectors.odk_central.forms import FormService
from connectors.odk_central.session import CentralSession
from connectors.odk_central.submissions import SubmissionService


class OdkCentralClient(CentralSession):
    """A :class:`CentralSession` with its services: :attr:`forms` and :attr:`submissions`."""

    def __init__(self, base_url: str, email: str, password: str, *, settings: HttpSettings | None = None,
                 session_file: Path | None = None) -> None:
        super().__init__(base_url, email, password, settings=settings, session_file=session_file)
        self.forms = FormService(self)
        self.submissions = SubmissionService(self)
