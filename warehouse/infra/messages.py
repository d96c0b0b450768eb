"""What a data manager reads: ``messages.toml`` (Vietnamese, the default, and English with ``CLMS_LANGUAGE=en``:
``warehouse.infra.settings``), the one catalogue of the Dagster UI, the logs, refusals and the demo's console.
The UI's helpers around it are in ``dagster_project.messages``."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from warehouse.infra.settings import Settings

CATALOGUE = Path(__file__).with_name("messages.toml")


@lru_cache(maxsize=1)
def catalogue() -> dict:
    return tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))


def text(key: str, /, *, lang: str | None = None, **values) -> str:
    """The text ``section.name`` of the catalogue in ``lang`` (default: the current language), ``values`` filled
    in."""
    section, _, name = key.partition(".")
    return catalogue()[section][name][lang or Settings.from_environment().language].format(**values)
