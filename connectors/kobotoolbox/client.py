"""One KoboToolbox server: its session and the services that use it."""

from __future__ import annotations

from connectors.http import HttpSettings
from connectors.kobotoolbox.assets import AssetService
from connectors.kobotoolbox.session import KoboSession
from connectors.kobotoolbox.submissions import SubmissionService


class KoboClient(KoboSession):
    """A :class:`KoboSession` with its services: :attr:`assets` (forms: deploy, media, schema) and
    :attr:`submissions` (data)."""

    def __init__(self, base_url: str, token: str, *, settings: HttpSettings | None = None) -> None:
        super().__init__(base_url, token, settings=settings)
        self.assets = AssetService(self)
        self.submissions = SubmissionService(self)
