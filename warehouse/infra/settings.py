"""What the environment sets, read in one place: the data folder every file goes under unless its own variable
names another place, the warehouse, the language of what a data manager reads, and each form's source.

The roots build :class:`Settings` when they start: the Dagster definitions when they load and each run's steps
when they run, the demo, the commands (``python -m warehouse.ops.backup`` …). Nothing else reads these variables.
Secrets are not settings: Dagster reads them through ``EnvVar``, a command from its own variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from connectors.forms import FORMS

PROJECT_VAR = Path(__file__).resolve().parents[2] / "var"
LANGUAGES = ("vi", "en")
SOURCES = ("demo", "odk_central", "kobotoolbox", "file")
# folder: its variable, and its place under the data folder by default
FOLDERS = {
    "reports": ("CLMS_REPORTS_DIR", "reports"),  # progress reports, reviews, data-quality sheets
    "restricted": ("CLMS_RESTRICTED_DIR", "restricted"),  # commune registers, with names
    "reference": ("CLMS_REFERENCE_DIR", "reference_uploads"),  # data managers' spreadsheets
    "imports": ("CLMS_IMPORT_DIR", "imports"),  # partners' export files
}
VARIABLES = ("CLMS_DATA_DIR", "CLMS_WAREHOUSE_URL", "CLMS_LANGUAGE", "CLMS_SOURCE",
             *(f"CLMS_SOURCE_{form.upper()}" for form in FORMS), *(variable for variable, _ in FOLDERS.values()))


class SettingsError(ValueError):
    """A variable holds a value the system does not take; the message names the variable and what it takes."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    warehouse_url: str
    warehouse_url_set: bool  # by CLMS_WAREHOUSE_URL (which may hold a password), not the default file
    language: str
    folders: Mapping[str, Path]
    sources: Mapping[str, str]  # form id → one of SOURCES

    @classmethod
    def from_environment(cls) -> Settings:
        """The settings as the environment sets them now; a wrong language or source is refused."""
        return cls._of(tuple(os.environ.get(name, "").strip() for name in VARIABLES))

    @classmethod
    @lru_cache(maxsize=8)
    def _of(cls, values: tuple[str, ...]) -> Settings:
        """The settings of these values of ``VARIABLES`` (one object per distinct environment: every message
        asks for the language)."""
        value = dict(zip(VARIABLES, values, strict=True))
        data_dir = Path(value["CLMS_DATA_DIR"] or PROJECT_VAR)
        language = value["CLMS_LANGUAGE"] or "vi"
        if language not in LANGUAGES:
            raise SettingsError(f"CLMS_LANGUAGE={language!r}: expected one of {', '.join(LANGUAGES)}")
        sources = {}
        for form in FORMS:
            variable = f"CLMS_SOURCE_{form.upper()}"
            sources[form] = value[variable] or value["CLMS_SOURCE"] or "demo"
            if sources[form] not in SOURCES:
                raise SettingsError(f"{variable} or CLMS_SOURCE is {sources[form]!r}: expected "
                                    f"{', '.join(repr(s) for s in SOURCES)}")
        return cls(data_dir=data_dir,
                   warehouse_url=value["CLMS_WAREHOUSE_URL"] or f"sqlite:///{data_dir / 'warehouse.sqlite'}",
                   warehouse_url_set=bool(value["CLMS_WAREHOUSE_URL"]), language=language,
                   folders=MappingProxyType({name: Path(value[variable] or data_dir / default)
                                             for name, (variable, default) in FOLDERS.items()}),
                   sources=MappingProxyType(sources))

    @property
    def case_list(self) -> Path:
        """The case list file of the sources without entities."""
        return self.data_dir / "case_list" / "cases.csv"

    @property
    def central_sessions(self) -> Path:
        """Where ODK Central's sessions are kept between runs."""
        return self.data_dir / "odk_central"

    @property
    def dagster_home(self) -> Path:
        """The Dagster instance folder of ``make demo`` and ``make dev``."""
        return self.data_dir / "dagster_home"
