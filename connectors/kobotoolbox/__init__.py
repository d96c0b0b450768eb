"""KoboToolbox connector: token client, assets (deploy, media, schema) and submissions services, incremental sync."""

from connectors.kobotoolbox.client import KoboClient
from connectors.kobotoolbox.documents import record_from_document
from connectors.kobotoolbox.sync import (
    KoboSync,
    stored_identity,
    sync_submissions,
)

__all__ = [
    "KoboClient",
    "KoboSync",
    "record_from_document",
    "stored_identity",
    "sync_submissions",
]
