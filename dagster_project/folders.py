"""Where the pipeline reads and writes files: each folder from its environment variable, else under the data folder
(``CLMS_DATA_DIR``, default the project's ``var/``)."""

import os

from warehouse.infra.data_folder import data_dir

_FOLDERS = {
    "reports": ("CLMS_REPORTS_DIR", "reports"),  # progress reports, reviews, data-quality sheets
    "restricted": ("CLMS_RESTRICTED_DIR", "restricted"),  # commune registers, with names
    "reference": ("CLMS_REFERENCE_DIR", "reference_uploads"),  # data managers' spreadsheets
    "imports": ("CLMS_IMPORT_DIR", "imports"),  # partners' export files
}


def folder_path(name: str) -> str:
    """The folder ``name`` (a key of ``_FOLDERS``) as the environment sets it now."""
    variable, default = _FOLDERS[name]
    return os.environ.get(variable) or str(data_dir() / default)
