"""The official administrative units the forms use (``forms/media/communes.csv``), loaded once."""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

URBAN_DIVISION_TYPES = frozenset({"phuong"})


def forms_dir() -> Path:
    """``CLMS_FORMS_DIR`` if set, else the project's ``forms/`` folder."""
    return Path(os.environ.get("CLMS_FORMS_DIR") or Path(__file__).resolve().parents[1] / "forms")


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    province_code: str
    division_type: str

    @property
    def urban_rural(self) -> str:
        return "urban" if self.division_type in URBAN_DIVISION_TYPES else "rural"


@dataclass(frozen=True)
class AdminUnits:
    code_list_version: str
    communes: dict[str, Commune]
    provinces: dict[str, str]


@lru_cache(maxsize=4)
def load_admin_units(media: Path | None = None) -> AdminUnits:
    media = media or forms_dir() / "media"
    with open(media / "communes.csv", encoding="utf-8", newline="") as f:
        communes = {
            row["name"]: Commune(row["name"], row["label"], row["province"], row["division_type"])
            for row in csv.DictReader(f)
        }
    with open(media / "provinces.csv", encoding="utf-8", newline="") as f:
        provinces = {row["name"]: row["label"] for row in csv.DictReader(f)}
    version = json.loads((media / "code_list_version.json").read_text(encoding="utf-8"))["code_list_version"]
    return AdminUnits(version, communes, provinces)
