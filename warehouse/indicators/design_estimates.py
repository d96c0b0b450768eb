"""The household-survey cells whose households all have a design, estimated by it.

A household records its survey round and sampling unit (``household.survey_round``, ``psu_code``); the round's
sample frame (``sample_frame_unit``) gives the unit's stratum and its households' weight: the uploaded household
weight, or households listed / (selection probability × households interviewed), which corrects for
non-response; 1 in a census. Every household-survey cell is first published as collected (``no_design``:
unweighted, with an interval that assumes simple random sampling, :func:`warehouse.indicators.cells.finish`);
:func:`publish` then replaces the cells in which every household has a design with their design-based estimate
(``warehouse.indicators.survey_design``): the weighted value, its Korn–Graubard interval, design effect and effective
sample size, or a census's exact value and coverage, and the status that follows from them. A cell with any
household collected without a design stays ``no_design``: never presented as representative.

The cells are recomputed whole at every publication from the counts by sampling unit, only when a sample frame
is loaded, among the cells before disclosure control (``restricted_indicator_value``): disclosure control then
hides what it must of them as of every cell (``warehouse.indicators.disclosure``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection, and_, delete, select, tuple_

from warehouse.indicators import survey_counts
from warehouse.indicators.cells import KEYS, NO_DATA, NO_DENOMINATOR, IndicatorSpec, apply_targets
from warehouse.indicators.survey_design import CENSUS, EXACT, KORN_GRAUBARD, SAMPLE, ratio_estimates
from warehouse.infra.bulk import insert_frame, read_frame
from warehouse.schema.models import RestrictedIndicatorValue, SampleFrameUnit

FRAME = ["round_id", "psu_code", "design", "stratum", "psu_probability", "household_weight", "households_listed"]
ESTIMATED = ["numerator", "denominator", "value", "ci_low", "ci_high", "deff", "effective_n", "design_kind",
             "interval_method", "coverage"]
KEPT_STATUSES = (NO_DATA, NO_DENOMINATOR)  # a designed cell with no data keeps it; every other status is decided again


def frame_units(conn: Connection) -> pd.DataFrame:
    u = SampleFrameUnit
    return read_frame(conn, select(*(getattr(u, c) for c in FRAME)), FRAME)


def unit_weights(frame: pd.DataFrame, households: pd.DataFrame) -> pd.DataFrame:
    """Each sampling unit that has interviewed households: its stratum (of its round), census or not, weight,
    households interviewed (consenting) and listed."""
    interviewed = (households.groupby(survey_counts.UNIT_KEYS, as_index=False)["members"].sum()
                   .rename(columns={"survey_round": "round_id", "members": "interviewed"}))
    units = frame.merge(interviewed, on=["round_id", "psu_code"])
    units = units[units["interviewed"] > 0].astype({"psu_probability": float, "household_weight": float,
                                                    "households_listed": float})
    census = units["design"] == CENSUS
    computed = units["households_listed"] / (units["psu_probability"] * units["interviewed"])
    units = units.assign(census=census, stratum=units["round_id"] + "/" + units["stratum"],
                         psu=units["round_id"] + ":" + units["psu_code"],
                         weight=np.where(census, 1.0, units["household_weight"].fillna(computed)))
    return units[["round_id", "psu_code", "stratum", "psu", "census", "weight", "interviewed", "households_listed"]]


def design_cells(facts: pd.DataFrame, spec: IndicatorSpec, units: pd.DataFrame, areas: pd.DataFrame,
                 confidence: float) -> pd.DataFrame:
    """The design-based estimates of ``spec``'s cells in which every household has a design.

    ``facts``: counts (numerator, denominator) by commune, period, the spec's dimensions, ``survey_round`` and
    ``psu_code``; ``units``: :func:`unit_weights`; ``areas``: the areas each commune belongs to.
    """
    facts = facts.rename(columns={"survey_round": "round_id"}).merge(units, on=["round_id", "psu_code"], how="left")
    designed = facts["psu"].notna()
    facts = facts.assign(y=facts["numerator"] * facts["weight"], x=facts["denominator"] * facts["weight"],
                         k=facts["numerator"], n=facts["denominator"],
                         undesigned=np.where(designed, 0, facts["denominator"]),
                         stratum=facts["stratum"].fillna(""), psu=facts["psu"].fillna(""))
    joined = facts.merge(areas[["area_level", "area_code", "code_list_version", "commune_code"]], on="commune_code")
    joined["year"] = joined["year"].astype(str)
    parts = []
    half = joined["year"] + np.where(joined["quarter"] <= 2, "-H1", "-H2")
    quarter = joined["year"] + "-Q" + joined["quarter"].astype(str)
    for period_type, period in (("year", joined["year"]), ("half", half), ("quarter", quarter)):
        for dimension in ("total", *spec.dimensions):
            value = "all" if dimension == "total" else joined[dimension]
            keyed = joined.assign(period=period, period_type=period_type, dimension=dimension, dimension_value=value)
            parts.append(keyed.groupby([*KEYS[2:], "stratum", "psu"], as_index=False, sort=False).agg(
                y=("y", "sum"), x=("x", "sum"), k=("k", "sum"), n=("n", "sum"), undesigned=("undesigned", "sum")))
    psus = pd.concat(parts, ignore_index=True)
    cell_keys = KEYS[2:]
    whole = psus.groupby(cell_keys, as_index=False).agg(undesigned=("undesigned", "sum"), x=("x", "sum"))
    whole = whole[(whole["undesigned"] == 0) & (whole["x"] > 0)][cell_keys]
    psus = psus.merge(whole, on=cell_keys)
    if psus.empty:
        return pd.DataFrame(columns=[*KEYS, *ESTIMATED])
    strata = units.groupby("stratum", as_index=False).agg(psus=("psu", "nunique"), census=("census", "all"))
    estimates = ratio_estimates(psus, cell_keys, strata, confidence)
    described = psus.merge(strata[["stratum", "census"]], on="stratum").groupby(cell_keys, as_index=False).agg(
        census=("census", "all"), numerator=("k", "sum"))
    cells = estimates.merge(described, on=cell_keys).merge(_coverage(psus, cell_keys, units), on=cell_keys, how="left")
    census = cells["census"].to_numpy(dtype=bool)
    return cells.assign(
        indicator_id=spec.indicator_id, source=spec.source, value=cells["estimate"], denominator=cells["n"],
        design_kind=np.where(census, CENSUS, SAMPLE), interval_method=np.where(census, EXACT, KORN_GRAUBARD),
        coverage=cells["coverage"].where(census), deff=cells["deff"].where(~census),
        effective_n=cells["effective_n"].where(~census))


def _coverage(psus: pd.DataFrame, keys: list[str], units: pd.DataFrame) -> pd.DataFrame:
    """Households interviewed out of households listed in the units a cell reaches."""
    reached = psus[psus["psu"] != ""][[*keys, "psu"]].drop_duplicates().merge(
        units[["psu", "interviewed", "households_listed"]], on="psu")
    summed = reached.groupby(keys, as_index=False)[["interviewed", "households_listed"]].sum()
    return summed.assign(coverage=summed["interviewed"] / summed["households_listed"])[[*keys, "coverage"]]


def with_estimates(cells: pd.DataFrame, designed: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """``cells`` (household-survey cells) with the estimates of ``designed`` (:func:`design_cells`) in place of
    their counted values, where both have the cell and it has data, and which were replaced; every status but
    no data, no denominator and (unreplaced) suppressed is left to :func:`apply_targets` to decide again."""
    merged = cells.merge(designed[[*KEYS, *ESTIMATED]], on=KEYS, how="left", suffixes=("", "_design"),
                         indicator=True)
    hit = (merged.pop("_merge") == "both") & ~merged["status"].isin(KEPT_STATUSES)
    for column in ESTIMATED:
        merged[column] = merged[column].astype(object).where(~hit, merged.pop(f"{column}_design"))
    merged = merged.drop(columns=[c for c in merged if c.endswith("_design")])
    merged["status"] = merged["status"].where(merged["status"].isin(KEPT_STATUSES) & ~hit, "")
    for column in ("numerator", "denominator", "value", "ci_low", "ci_high", "deff", "effective_n", "coverage",
                   "target_value", "gap"):
        if column in merged:  # the target's columns once targets were applied
            merged[column] = pd.to_numeric(merged[column])
    return merged, hit


def publish(conn: Connection, designed: pd.DataFrame, targets: pd.DataFrame, columns: list[str]) -> int:
    """Replace the household-survey cells of ``designed`` (:func:`design_cells`) among the cells before
    disclosure control with their estimates, and decide again the statuses of their areas' cells (a status
    compares with the year before)."""
    if designed.empty:
        return 0
    iv = RestrictedIndicatorValue
    areas = sorted(set(designed[["area_level", "area_code", "code_list_version"]].itertuples(index=False, name=None)))
    where = and_(iv.source == designed["source"].iloc[0],
                 tuple_(iv.area_level, iv.area_code, iv.code_list_version).in_(areas))
    cells = read_frame(conn, select(*(getattr(iv, c) for c in columns)).where(where), columns)
    merged, hit = with_estimates(cells, designed)
    decided = apply_targets(merged.rename(columns={"exact_territory": "exact"}), targets)
    decided = decided.rename(columns={"exact": "exact_territory"})
    for column in ("numerator", "denominator", "target_year"):
        decided[column] = pd.to_numeric(decided[column]).astype("Int64")
    conn.execute(delete(iv).where(where))
    insert_frame(conn, iv.__table__, decided[columns])
    return int(hit.sum())
