"""Indicators 1.1 (child-labour rate) and 1.1h (hazardous share) by area, period and disaggregation.

Counting is done by the database at the finest grain (one row per commune, quarter, rule set and
disaggregation values), then rolled up here; nothing loads children into memory.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, case, delete, func, insert, select

from warehouse.models import Child, ChildClassification, Household, IndicatorValue
from warehouse.stats import is_suppressed, wilson_interval, z_for

GRAIN = ["rule_set", "year", "quarter", "province_code", "commune_code", "sex", "age_band",
         "urban_rural", "ethnic_group", "poverty_status"]
AREA_LEVELS = {"national": None, "province": "province_code", "commune": "commune_code"}
UNKNOWN = "unknown"


@dataclass(frozen=True)
class IndicatorSettings:
    version: str
    min_cell: int
    confidence: float
    dimensions: tuple[str, ...]
    indicators: tuple[dict, ...]


def load_settings(path: str | Path | None = None) -> IndicatorSettings:
    if path is None:
        text = resources.files("warehouse.reference").joinpath("indicators.toml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    doc = tomllib.loads(text)
    pub = doc["publication"]
    return IndicatorSettings(doc["version"], int(pub["min_cell"]), float(pub["confidence"]),
                             tuple(pub["dimensions"]), tuple(doc["indicator"]))


def count_children(engine: Engine) -> pd.DataFrame:
    """Children, child labourers and hazardous child labourers at the finest grain."""
    cc, c, h = ChildClassification, Child, Household
    columns = [cc.rule_set, h.year, h.quarter, h.province_code, h.commune_code, c.sex, cc.age_band,
               h.urban_rural, c.ethnic_group, h.poverty_status]
    query = (
        select(*columns,
               func.count().label("children"),
               func.sum(case((cc.child_labour, 1), else_=0)).label("child_labour"),
               func.sum(case((cc.hazardous, 1), else_=0)).label("hazardous"))
        .join(c, c.child_id == cc.child_id)
        .join(h, h.household_id == c.household_id)
        .group_by(*columns)
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=GRAIN + ["children", "child_labour", "hazardous"])
    return frame.fillna({col: UNKNOWN for col in GRAIN}).astype(
        {"children": "int64", "child_labour": "int64", "hazardous": "int64"}
    )


def compute_cells(counts: pd.DataFrame, settings: IndicatorSettings, rules_version: str,
                  code_list_version: str) -> pd.DataFrame:
    """Every published cell: indicator × rule set × period × area × disaggregation."""
    z = z_for(settings.confidence)
    counts = counts.assign(
        period_year=counts["year"].astype(str),
        period_quarter=counts["year"].astype(str) + "-Q" + counts["quarter"].astype(str),
    )
    parts = []
    for period_type in ("year", "quarter"):
        for area_level, area_column in AREA_LEVELS.items():
            for dimension in ("total", *settings.dimensions):
                keys = ["rule_set", f"period_{period_type}"]
                keys += [area_column] if area_column else []
                keys += [] if dimension == "total" else [dimension]
                summed = counts.groupby(keys, as_index=False)[["children", "child_labour", "hazardous"]].sum()
                summed = summed.rename(columns={f"period_{period_type}": "period"})
                summed["period_type"] = period_type
                summed["area_level"] = area_level
                summed["area_code"] = summed[area_column] if area_column else "VN"
                summed["dimension"] = dimension
                summed["dimension_value"] = summed[dimension] if dimension != "total" else "all"
                parts.append(summed[["rule_set", "period", "period_type", "area_level", "area_code",
                                     "dimension", "dimension_value", "children", "child_labour", "hazardous"]])
    rolled = pd.concat(parts, ignore_index=True)
    frames = [_cells(ind["id"], rolled, rolled[ind["numerator"]], rolled[ind["denominator"]], settings.min_cell, z)
              for ind in settings.indicators]
    cells = pd.concat(frames, ignore_index=True)
    cells["rules_version"] = rules_version
    cells["code_list_version"] = code_list_version
    return cells[[c.name for c in IndicatorValue.__table__.columns]]


def _cells(indicator_id: str, rolled: pd.DataFrame, numerator: pd.Series, denominator: pd.Series,
           min_cell: int, z: float) -> pd.DataFrame:
    """Value, Wilson interval and suppression, column-wise; suppressed and empty cells carry no numbers."""
    cells = rolled[["rule_set", "period", "period_type", "area_level", "area_code", "dimension",
                    "dimension_value"]].copy()
    cells.insert(0, "indicator_id", indicator_id)
    suppressed = pd.Series(is_suppressed(numerator, denominator, min_cell), index=rolled.index)
    shown = ~suppressed & (denominator > 0)
    low, high = wilson_interval(numerator.where(shown, 0), denominator.where(shown, 1), z)
    cells["suppressed"] = suppressed.astype(bool)
    cells["numerator"] = numerator.where(shown).astype("Int64")
    cells["denominator"] = denominator.where(shown).astype("Int64")
    cells["value"] = (numerator / denominator.where(shown)).where(shown)
    cells["ci_low"] = pd.Series(low, index=cells.index).where(shown)
    cells["ci_high"] = pd.Series(high, index=cells.index).where(shown)
    return cells


def publish(engine: Engine, cells: pd.DataFrame, indicator_ids: list[str]) -> int:
    """Replace the published cells of ``indicator_ids`` with ``cells`` in one transaction."""
    records = cells.astype(object).where(cells.notna(), None).to_dict("records")
    with engine.begin() as conn:
        conn.execute(delete(IndicatorValue).where(IndicatorValue.indicator_id.in_(indicator_ids)))
        if records:
            conn.execute(insert(IndicatorValue), records)
    return len(records)
