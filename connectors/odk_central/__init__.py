"""ODK Central connector: session client, forms and submissions services, incremental sync."""

from connectors.odk_central.client import OdkCentralClient
from connectors.odk_central.rows import record_from_odata_row
from connectors.odk_central.sync import (
    IdReconciliation,
    SubmissionSync,
    reconcile_ids,
    sync_submissions,
)

__all__ = [
    "IdReconciliation",
    "OdkCentralClient",
    "SubmissionSync",
    "reconcile_ids",
    "record_from_odata_row",
    "sync_submissions",
]
