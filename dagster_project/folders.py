"""Where the pipeline reads and writes files: each folder from its environment variable, else under ``var/`` of
the working directory (``make demo`` and ``make dev`` run from the project's root)."""

import os
from pathlib import Path

_FOLDERS = {
    "reports": ("CLMS_REPORTS_DIR", Path("var") / "reports"),  # progress reports, reviews, data-quality sheets
    "restricted": ("CLMS_RESTRICTED_DIR", Path("var") / "restricted"),  # commune registers, with names
    "reference": ("CLMS_REFERENCE_DIR", Path("var") / "reference_uploads"),  # data managers' spreadsheets
    "imports": ("CLMS_IMPORT_DIR", Path("var") / "imports"),  # partners' export files
}


def folder_path(name: str) -> str:
    """The folder ``name`` (a key of ``_FOLDERS``) as the environment sets it now."""
    variable, default = _FOLDERS[name]
    return os.environ.get(variable) or str(default)
