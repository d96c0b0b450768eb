"""The language of what a data manager reads, and its texts: ``messages.toml`` (Vietnamese, the default, and
English with ``CLMS_LANGUAGE=en``), the one catalogue of the Dagster UI, the logs, refusals and the demo's console.
The UI's helpers around it are in ``dagster_project.messages``."""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("vi", "en")
CATALOGUE = Path(__file__).with_name("messages.toml")


def language() -> str:
    """``CLMS_LANGUAGE``: vi (default) or en."""
    value = os.environ.get("CLMS_LANGUAGE", "").strip() or "vi"
    if value not in LANGUAGES:
        raise ValueError(f"CLMS_LANGUAGE={value!r}: expected one of {', '.join(LANGUAGES)}")
    return value


@lru_cache(maxsize=1)
def catalogue() -> dict:
    return tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))


def text(key: str, /, *, lang: str | None = None, **values) -> str:
    """The text ``section.name`` of the catalogue in ``lang`` (default: the current language), ``values`` filled
    in."""
    section, _, name = key.partition(".")
    return catalogue()[section][name][lang or language()].format(**values)
