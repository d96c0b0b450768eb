"""The area a report is about: its level, code and code-list version, its key, name and communes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from warehouse.schema.models import AreaCommune, IndicatorValue, Target

LEGACY = "vn-legacy"
REPORT_LEVELS = ("province", "commune")


@dataclass(frozen=True)
class ReportArea:
    """A province or commune, new (current code list) or old (``vn-legacy``, pre-July-2025 territory)."""

    level: str
    code: str
    code_list_version: str

    @property
    def legacy(self) -> bool:
        return self.code_list_version == LEGACY

    @property
    def key(self) -> str:
        """``province-20``, ``commune-00004``, ``legacy-province-89``: the report's partition key and folder."""
        return f"{'legacy-' if self.legacy else ''}{self.level}-{self.code}"

    @classmethod
    def from_key(cls, key: str, current_version: str) -> ReportArea:
        """The area of ``key``; areas without the ``legacy-`` prefix are in ``current_version``."""
        legacy = key.startswith("legacy-")
        level, sep, code = key.removeprefix("legacy-").partition("-")
        if not sep or level not in REPORT_LEVELS or not code.isdigit():
            raise ValueError(f"report area key {key!r}: expected e.g. province-20, commune-00004, legacy-province-89")
        return cls(level, code, LEGACY if legacy else current_version)


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    exact: bool  # false when the commune also covers land outside the (old) area


@dataclass(frozen=True)
class AreaDetails:
    name: str
    parent_name: str | None  # the province of a (current) commune
    communes: tuple[Commune, ...]  # the current communes that make up the area


def area_details(engine: Engine, area: ReportArea) -> AreaDetails:
    """Name and communes of ``area`` from the warehouse's area membership; unknown areas are an error."""
    ac = AreaCommune
    with engine.connect() as conn:
        members = conn.execute(
            select(ac.commune_code, ac.exact, ac.area_name)
            .where(ac.area_level == area.level, ac.area_code == area.code,
                   ac.code_list_version == area.code_list_version)
            .order_by(ac.commune_code)).all()
        if not members:
            raise ValueError(f"no area {area.level} {area.code} ({area.code_list_version}) in the warehouse")
        codes = [m.commune_code for m in members]
        names = dict(conn.execute(select(ac.area_code, ac.area_name).where(
            ac.area_level == "commune", ac.code_list_version != LEGACY, ac.area_code.in_(codes))).all())
        parent = conn.execute(select(ac.area_name).where(
            ac.area_level == "province", ac.code_list_version == area.code_list_version,
            ac.commune_code == area.code)).scalar() if area.level == "commune" and not area.legacy else None
    communes = tuple(Commune(m.commune_code, names.get(m.commune_code, m.commune_code), bool(m.exact)) for m in members)
    return AreaDetails(members[0].area_name, parent, communes)


def areas_with_data(engine: Engine, current_version: str) -> list[ReportArea]:
    """Provinces and communes (new, and old territories) that have published indicator cells."""
    iv = IndicatorValue
    with engine.connect() as conn:
        rows = conn.execute(select(iv.area_level, iv.area_code, iv.code_list_version).distinct().where(
            iv.area_level.in_(REPORT_LEVELS), iv.code_list_version.in_([current_version, LEGACY]))).all()
    return sorted((ReportArea(*row) for row in rows), key=lambda area: area.key)


def report_years(engine: Engine) -> list[int]:
    """Every year from the first to the last that a target names (its year, ``valid_from``, ``valid_to``) or that
    has yearly indicator cells: each plan period whole, 2016–2020 included once its data or targets are in."""
    with engine.connect() as conn:
        named = conn.execute(select(Target.year, Target.valid_from, Target.valid_to)).all()
        periods = conn.scalars(select(IndicatorValue.period).distinct().where(IndicatorValue.period_type == "year"))
        years = {int(period) for period in periods} | {year for row in named for year in row if year is not None}
    return list(range(min(years), max(years) + 1)) if years else []
