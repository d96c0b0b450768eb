"""The official administrative units the forms use (``forms/media/communes.csv``), and the pre-July-2025 ones
(``legacy_communes.csv``) that older submissions and export files carry, loaded once."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from connectors.forms import FORMS_DIR

URBAN_DIVISION_TYPES = frozenset({"phuong", "thi_tran"})  # thị trấn: a pre-2025 urban unit (GSO's thành thị)
LEGACY = "vn-legacy"  # the code list version of the pre-July-2025 units


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    province_code: str
    division_type: str
    code_list_version: str

    @property
    def urban_rural(self) -> str:
        return "urban" if self.division_type in URBAN_DIVISION_TYPES else "rural"


@dataclass(frozen=True)
class AdminUnits:
    code_list_version: str
    communes: dict[str, Commune]
    provinces: dict[str, str]
    effective_date: date  # the current list's first day: the units before it are the legacy ones
    legacy_communes: dict[str, Commune]  # version LEGACY

    def commune_of(self, province: str, commune: str, on: date) -> Commune | None:
        """The commune of a (province, commune) code pair on day ``on``: of the current list or of the legacy one,
        whichever has the pair; ``None`` when neither does. Nothing is refused for being old.

        The lists share about 2,000 pairs (a new commune often kept the code of an old one it was formed from,
        in a province of the same code), for different territories: such a pair is legacy when ``on`` (the
        interview, inspection or activity date) is before the current list's effective date, else current.
        """
        current, legacy = self.communes.get(commune), self.legacy_communes.get(commune)
        current = current if current is not None and current.province_code == province else None
        legacy = legacy if legacy is not None and legacy.province_code == province else None
        if current is not None and legacy is not None:
            return legacy if on < self.effective_date else current
        return current or legacy


@lru_cache(maxsize=4)
def load_admin_units(media: Path | None = None) -> AdminUnits:
    media = media or FORMS_DIR / "media"
    listed = json.loads((media / "code_list_version.json").read_text(encoding="utf-8"))
    version = listed["code_list_version"]
    with open(media / "communes.csv", encoding="utf-8", newline="") as f:
        communes = {
            row["name"]: Commune(row["name"], row["label"], row["province"], row["division_type"], version)
            for row in csv.DictReader(f)
        }
    with open(media / "provinces.csv", encoding="utf-8", newline="") as f:
        provinces = {row["name"]: row["label"] for row in csv.DictReader(f)}
    with open(media / "legacy_communes.csv", encoding="utf-8", newline="") as f:  # a row per (old, new) pair
        legacy = {
            row["legacy_code"]: Commune(row["legacy_code"], row["legacy_name"], row["legacy_province_code"],
                                        row["legacy_division_type"], LEGACY)
            for row in csv.DictReader(f)
        }
    return AdminUnits(version, communes, provinces, date.fromisoformat(listed["effective_date"]), legacy)
