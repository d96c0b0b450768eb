"""What the Dagster UI and the console say to a data manager, in Vietnamese (default) or English
(``CLMS_LANGUAGE=en``): the texts of ``warehouse/infra/messages.toml``, areas named with their codes, and statuses in
words (the reports' own, ``warehouse.report.labels``, which also give the indicators' titles).

Descriptions are read when the definitions load, labels and sentences when a step runs: both in the language
``CLMS_LANGUAGE`` names at that moment.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from warehouse.indicators.disclosure import load_policy
from warehouse.indicators.indicators import load_settings
from warehouse.infra.messages import catalogue as _catalogue
from warehouse.infra.messages import text
from warehouse.infra.settings import Settings
from warehouse.reference.reference_data import load_legacy_units
from warehouse.report.labels import Labels
from warehouse.schema.admin_units import LEGACY, load_admin_units

RESERVED = "dagster/"  # metadata Dagster itself reads (row count, column schema): never renamed


def describe(name: str, **values) -> str:
    """The description of an asset, check, job or sensor."""
    return text(f"describe.{name}", **values)


def label(key: str) -> str:
    """A metadata label: Vietnamese from the catalogue, or the key itself (English, and keys it does not list)."""
    return _catalogue()["label"].get(key, key) if Settings.from_environment().language == "vi" else key


def labelled(metadata: Mapping) -> dict:
    """``metadata`` with each key shown as its label (Dagster's own keys kept)."""
    return {key if key.startswith(RESERVED) else label(key): value for key, value in metadata.items()}


def md_table(columns: list[str], rows) -> str:
    """A Markdown table, its headers from the catalogue's ``[column]``."""
    header = [text(f"column.{c}") for c in columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows])


def reason(code: str) -> str:
    """A quarantine reason code in words (``[reason]`` of the catalogue), or the code itself when it lists none."""
    return text(f"reason.{code}") if code in _catalogue()["reason"] else code


def md_list(items) -> str:
    """A Markdown list, one line per item, or "nothing" in words."""
    return "\n".join(f"- {item}" for item in items) or text("log.nothing")


@lru_cache(maxsize=1)
def _area_names() -> dict[tuple[str, str], dict[str, str]]:
    units, legacy = load_admin_units(), load_legacy_units()
    return {("province", units.code_list_version): units.provinces,
            ("commune", units.code_list_version): {c.code: c.name for c in units.communes.values()},
            ("province", LEGACY): legacy.provinces, ("commune", LEGACY): legacy.communes}


def area(level: str, code: str, code_list_version: str) -> str:
    """E.g. "Tỉnh Lạng Sơn (mã 20)", "Tỉnh An Giang (mã 89, địa giới trước 01/7/2025)", "Toàn quốc"."""
    if level == "national":
        return text("area.national")
    name = _area_names().get((level, code_list_version), {}).get(code, f"{level} {code}")
    return named_area(name, code, code_list_version == LEGACY)


def named_area(name: str, code: str, legacy: bool, lang: str | None = None) -> str:
    """An area's name with its code, an old unit (before 1 July 2025) marked as such."""
    return text("area.legacy" if legacy else "area.name", lang=lang, name=name, code=code)


def labels() -> Labels:
    """The reports' words in the current language, with the catalogue's indicator titles."""
    return Labels(Settings.from_environment().language, load_settings().names)


def status(name: str) -> str:
    """A status (``off_track``, ``no_denominator`` …) in words."""
    return labels().status(name, load_policy().min_count)


def statuses(counts: Mapping[str, int]) -> dict[str, int]:
    """Counts by status, keyed by the status in words."""
    return {status(name): n for name, n in sorted(counts.items(), key=lambda item: str(item[0]))}


def listing(counts: Mapping) -> str:
    """``{"a": 1, "b": 2}`` as "a 1, b 2"; "none" when empty."""
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or text("log.nothing")


def step_sentence(step: str, stats) -> str:
    """A step's statistics (``warehouse.clean.steps.StepStats``) as one sentence."""
    catalogue = _catalogue()["count"]
    loaded = ", ".join(text(f"count.{name}", n=n) if name in catalogue else f"{name} {n}"
                       for name, n in stats.loaded.items()) or text("log.nothing")
    quarantined = sum(stats.quarantined.values())
    return text("log.step", step=text(f"log.step_{step}"), processed=stats.processed, deleted=stats.deleted,
                loaded=loaded, quarantined=f"{quarantined} ({listing(stats.quarantined)})" if quarantined else 0)
