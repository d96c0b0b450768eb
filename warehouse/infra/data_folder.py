"""The data folder: where the project keeps its files unless a variable of their own names another place."""

import os
from pathlib import Path

PROJECT_VAR = Path(__file__).resolve().parents[2] / "var"


def data_dir() -> Path:
    """``CLMS_DATA_DIR`` as the environment sets it now, else the project's own ``var/``, whatever the working
    directory."""
    return Path(os.environ.get("CLMS_DATA_DIR") or PROJECT_VAR)
