"""Published indicator cells, one way for every indicator.

Facts arrive counted by commune, period and disaggregation (``numerator`` and, for survey or register
indicators, ``denominator``). They are summed over every reporting area the commune belongs to (the nation,
the new province and commune, and old pre-2025 territories that have targets), per year and quarter and per
disaggregation. Indicators whose denominator is a reference population take it from the uploaded table for the
area and year. Then each cell gets its value, a Wilson interval when it is a sample proportion, the target that
applies, the gap and a status (which respects the interval, :func:`apply_targets`). Every number is kept: disclosure
control comes after, over all the cells (``warehouse.indicators.disclosure``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from warehouse.indicators.stats import binomial_cv, wilson_interval, z_for
from warehouse.indicators.survey_design import NO_DESIGN, SRS_WILSON

UNKNOWN = "unknown"  # a disaggregation value that was not answered
DIMENSIONS = ("sex", "age_band", "urban_rural", "ethnic_group", "poverty_status", "work_sector", "craft_village",
              "establishment_type", "case_type")
KEYS = ["indicator_id", "source", "rule_set", "period", "period_type", "area_level", "area_code",
        "code_list_version", "dimension", "dimension_value"]


def with_unknown(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a missing disaggregation value as :data:`UNKNOWN` (dates and counts stay as they are)."""
    return frame.fillna({c: UNKNOWN for c in frame.columns if c in DIMENSIONS})


MET, ON_TRACK, OFF_TRACK, CANNOT_TELL = "met", "on_track", "off_track", "cannot_tell"
NO_DATA, NO_DENOMINATOR, SUPPRESSED, NO_TARGET = "no_data", "no_denominator", "suppressed", "no_target"


@dataclass(frozen=True)
class IndicatorSpec:
    """How one indicator (from one source) is published."""

    indicator_id: str
    source: str
    sample: bool = False  # a sample proportion: gets a Wilson interval
    population: tuple[str, ...] = ()  # reference-population groups summed as the denominator, else the facts'
    dimensions: tuple[str, ...] = ()
    unit: str = "share"  # "share": numerator / denominator; "days": the median of the facts' ``days``
    pools: tuple[str, ...] = ()  # a pooled indicator: the facts of these (same source) summed, e.g. 3.1a + 3.1b


@dataclass(frozen=True)
class Reliability:
    """When a published sample proportion is flagged unreliable (``indicators.toml`` ``[reliability]``): still
    shown, with its interval, as statistical offices do."""

    max_cv: float  # coefficient of variation above which the estimate is unreliable
    min_sample: int  # sample (denominator) below which it is unreliable

    def unreliable(self, numerator, denominator):
        """Whether each estimate ``numerator / denominator`` is unreliable; CV from :func:`binomial_cv`."""
        numerator = np.asarray(numerator, dtype=float)
        denominator = np.asarray(denominator, dtype=float)
        return (binomial_cv(numerator, denominator) > self.max_cv) | (denominator < self.min_sample)


def roll_up(facts: pd.DataFrame, spec: IndicatorSpec, areas: pd.DataFrame, groups: CommuneGroups | None = None
            ) -> pd.DataFrame:
    """Aggregate ``facts`` over every area each commune belongs to, per year, half-year, quarter and disaggregation.

    ``facts``: rule_set, commune_code, year, quarter, the dimension columns, and numerator and denominator
    (summed) or, for a "days" indicator, ``days`` (numerator = how many, value = their median); with a
    ``members`` column, it and ``inexact_members`` (members in communes the area only partly covers) are summed.
    ``areas``: area_level, area_code, code_list_version, commune_code, exact; ``groups``: their
    :func:`commune_groups`, made once by a caller that rolls up several indicators over the same areas.
    """
    value_columns = ["numerator", "denominator"] + (["value"] if spec.unit == "days" else [])
    if spec.unit == "days":
        aggregations = {"numerator": ("days", "size"), "denominator": ("days", "size"), "value": ("days", "median")}
    else:
        aggregations = {"numerator": ("numerator", "sum"), "denominator": ("denominator", "sum")}
        facts, areas = _alike_communes_summed(facts, commune_groups(areas) if groups is None else groups,
                                              ["rule_set", *spec.dimensions, "year", "quarter"])
    if "members" in facts:  # kept sums: how many were counted, and how many of them in partly covered communes
        aggregations.update(members=("members", "sum"), inexact_members=("inexact_members", "sum"))
        value_columns += ["members", "inexact_members"]
    columns = ["rule_set", "period", "period_type", "area_level", "area_code", "code_list_version", "dimension",
               "dimension_value", *value_columns, "exact"]
    if facts.empty:
        rolled = pd.DataFrame(columns=columns)
    else:
        rolled = _summed_by_every_key(facts, spec, areas, aggregations)[columns]
    rolled.insert(0, "source", spec.source)
    rolled.insert(0, "indicator_id", spec.indicator_id)
    return rolled


def _summed_by_every_key(facts: pd.DataFrame, spec: IndicatorSpec, areas: pd.DataFrame, aggregations: dict
                         ) -> pd.DataFrame:
    """One grouping for every period type and disaggregation of :func:`roll_up`: the facts joined to their areas
    are stacked once per (period type, disaggregation), each key an integer code, and summed together (a grouping
    per block cost more in pandas' fixed overhead than in summing, at any size)."""
    area_keys = ["area_level", "area_code", "code_list_version"]
    year = facts["year"].astype(str)
    periods = {"year": year, "half": year + np.where(facts["quarter"] <= 2, "-H1", "-H2"),
               "quarter": year + "-Q" + facts["quarter"].astype(str)}
    rule_code, rule_labels = pd.factorize(facts["rule_set"], use_na_sentinel=False)
    values, value_labels = {"total": np.zeros(len(facts), dtype=np.int64)}, ["all"]  # code 0: a total's "all"
    for dimension in spec.dimensions:
        value, labels = pd.factorize(facts[dimension], use_na_sentinel=False)
        values[dimension] = value + len(value_labels)
        value_labels.extend(pd.Series(labels, dtype=object).fillna(UNKNOWN))
    blocks, period_labels = [], []
    for period_type, period in periods.items():
        code, labels = pd.factorize(period, use_na_sentinel=False)
        offset = sum(len(p) for p in period_labels)
        period_labels.append(np.asarray(labels, dtype=object))
        blocks += [(period_type, dimension, code + offset, value) for dimension, value in values.items()]
    area_code, area_labels = pd.factorize(pd.MultiIndex.from_frame(areas[area_keys]))
    kept = [c for c, _ in aggregations.values() if c in facts]
    joined = (facts[["commune_code", *dict.fromkeys(kept)]].assign(_row=np.arange(len(facts)))
              .merge(areas[["commune_code", "exact"]].assign(_area=area_code), on="commune_code", how="inner"))
    if "members" in facts:
        joined["inexact_members"] = joined["members"].where(~joined["exact"].astype(bool), 0)
    row, copies = joined["_row"].to_numpy(), len(blocks)
    stacked = pd.DataFrame({
        **{c: _tiled(joined[c], copies) for c in joined.columns if c not in ("commune_code", "_row")},
        "_block": np.repeat(np.arange(copies), len(joined)), "_rule": np.tile(rule_code[row], copies),
        "_period": np.concatenate([period[row] for _, _, period, _ in blocks]),
        "_value": np.concatenate([value[row] for _, _, _, value in blocks])})
    summed = stacked.groupby(["_block", "_rule", "_period", "_area", "_value"], as_index=False, sort=False).agg(
        **aggregations, exact=("exact", "min"))
    block = summed.pop("_block").to_numpy()
    areas_of = area_labels.take(summed.pop("_area").to_numpy())
    return summed.assign(
        rule_set=np.asarray(rule_labels, dtype=object).take(summed.pop("_rule").to_numpy()),
        period=np.concatenate(period_labels).take(summed.pop("_period").to_numpy()),
        period_type=np.array([b[0] for b in blocks], dtype=object).take(block),
        **{key: areas_of.get_level_values(i) for i, key in enumerate(area_keys)},
        dimension=np.array([b[1] for b in blocks], dtype=object).take(block),
        dimension_value=np.asarray(value_labels, dtype=object).take(summed.pop("_value").to_numpy()))


def _tiled(column: pd.Series, copies: int):
    """``column`` repeated ``copies`` times, end to end, keeping its dtype."""
    if isinstance(column.dtype, np.dtype):
        return np.tile(column.to_numpy(), copies)
    return pd.concat([column] * copies, ignore_index=True)


@dataclass(frozen=True)
class CommuneGroups:
    """The communes of a set of areas grouped by the areas they belong to (:func:`commune_groups`)."""

    first: pd.Series | None  # each commune's group, named by its first commune; None: no grouping
    areas: pd.DataFrame  # the areas of the groups' first communes (all the areas when there is no grouping)


def commune_groups(areas: pd.DataFrame) -> CommuneGroups:
    """The communes that belong to the same areas, grouped: none when most communes have areas of their own (the
    communes' own cells), where grouping would save nothing."""
    member = areas.groupby(["area_level", "area_code", "code_list_version", "exact"], sort=False).ngroup()
    ordered = pd.DataFrame({"commune_code": areas["commune_code"].to_numpy(), "member": member.to_numpy()}
                           ).sort_values(["commune_code", "member"])
    ordered["nth"] = ordered.groupby("commune_code").cumcount()
    memberships = ordered.pivot(index="commune_code", columns="nth", values="member").fillna(-1)  # a row a commune
    same = memberships.groupby(list(memberships.columns), sort=False).ngroup()
    if same.nunique() * 2 > len(same):
        return CommuneGroups(None, areas)
    first = pd.Series(memberships.index, index=memberships.index).groupby(same.to_numpy()).transform("first")
    return CommuneGroups(first, areas[areas["commune_code"].isin(set(first))])


def _alike_communes_summed(facts: pd.DataFrame, groups: CommuneGroups, keys: list[str]) -> tuple[pd.DataFrame,
                                                                                                  pd.DataFrame]:
    """``facts`` summed over each group of communes, as its first commune, and the groups' areas: for the larger
    areas (all the communes of a province, for the province and the nation) the join in :func:`roll_up` then
    multiplies a few rows per group instead of every commune's (``bench/RESULTS.md``)."""
    if groups.first is None:
        return facts, groups.areas
    values = [c for c in ("numerator", "denominator", "members") if c in facts]
    summed = (facts.assign(commune_code=facts["commune_code"].map(groups.first))
              .groupby(["commune_code", *keys], as_index=False, sort=False, dropna=False)[values].sum())
    return summed, groups.areas


def with_population_denominators(rolled: pd.DataFrame, spec: IndicatorSpec, populations: pd.DataFrame) -> pd.DataFrame:
    """The denominator is the sum of the area's reference populations of the spec's groups for the period's
    year; NaN (no denominator) unless every group has a figure."""
    if not spec.population:
        return rolled
    keys = ["area_level", "area_code", "code_list_version", "year"]
    wanted = populations[populations["population_group"].isin(spec.population)]
    summed = wanted.groupby(keys, as_index=False).agg(population=("value", "sum"), groups=("population_group", "nunique"))
    summed = summed[summed["groups"] == len(spec.population)]
    merged = rolled.assign(year=rolled["period"].str[:4].astype(int)).merge(summed[keys + ["population"]], on=keys,
                                                                            how="left")
    return merged.assign(denominator=merged["population"]).drop(columns=["year", "population"])


def finish(rolled: pd.DataFrame, spec: IndicatorSpec, confidence: float) -> pd.DataFrame:
    """Value, interval, and a status before targets (no_data, no_denominator); nothing suppressed yet."""
    num = rolled["numerator"].astype(float)
    den = rolled["denominator"].astype(float)
    no_denominator = den.isna()
    no_data = ~no_denominator & (den <= 0)
    shown = ~(no_denominator | no_data)
    cells = rolled.drop(columns=["numerator", "denominator", "value"], errors="ignore").copy()
    cells["numerator"] = num.round().astype("Int64")
    if spec.unit == "days":
        cells["denominator"] = pd.array([pd.NA] * len(cells), dtype="Int64")
        cells["value"] = rolled["value"].astype(float).where(shown)
    else:
        cells["denominator"] = den.where(shown).round().astype("Int64")
        cells["value"] = (num / den).where(shown)
    if spec.sample:
        low, high = wilson_interval(num.where(shown, 0), den.where(shown, 1), z_for(confidence))
        cells["ci_low"] = pd.Series(low, index=rolled.index).where(shown)
        cells["ci_high"] = pd.Series(high, index=rolled.index).where(shown)
    else:
        cells["ci_low"] = cells["ci_high"] = np.nan
    cells["suppressed"] = False
    cells["unit"] = spec.unit
    # a survey proportion is first counted as collected, without a design (not representative): the household
    # survey's designed cells are replaced by their design-based estimates (warehouse.indicators.survey_design)
    cells["design_kind"] = NO_DESIGN if spec.sample else None
    cells["interval_method"] = np.where(spec.sample & shown, SRS_WILSON, None) if len(cells) else None
    cells["deff"] = cells["effective_n"] = cells["coverage"] = np.nan
    cells["status"] = np.select([no_denominator, no_data], [NO_DENOMINATOR, NO_DATA], "")
    return cells


def apply_targets(cells: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Attach the target in force for each cell's area and year, the gap, and a status.

    The target in force for year Y is, among those that count for Y (``valid_from`` ≤ Y ≤ ``valid_to``, either
    empty for open), the one with the earliest target year ≥ Y (else the latest one): a 2023 plan's target with
    ``valid_to`` 2023 counts for 2023 only; without ``valid_to`` the latest target is carried forward.
    A cell without a sampling interval (counts, administrative data, a census) compares its value: met when it
    meets the target. A sample estimate compares its interval (``ci_low``–``ci_high``): met only when the whole
    interval meets the target (for ``<``/``≤`` its high end, for ``≥``/``>`` its low end), cannot_tell when the
    interval contains the target (in any year: the estimate may already meet it), otherwise it surely does not
    meet it, like an exact value that does not.
    A cell that does not meet its target is off_track (not met) from the target year on. Before it, it is
    on_track when, since the area's previous year, its value moved towards the target at least at the pace that
    reaches it on time (the pace is judged on the values, not the intervals), else off_track. A ``minimise``
    target is on track while the value falls (values, as well).
    """
    cells = cells.copy()
    cells["target_year"] = pd.array([pd.NA] * len(cells), dtype="Int64")
    cells["target_comparator"] = None
    cells["target_value"] = np.nan
    cells["target_source"] = None
    year = cells["period"].str[:4].astype(int)
    targets = targets.assign(**{c: pd.to_numeric(targets[c], errors="coerce") if c in targets else np.nan
                                for c in ("valid_from", "valid_to")})
    by_area = {key: group.sort_values("year") for key, group in targets.groupby(
        ["indicator_id", "jurisdiction_level", "jurisdiction_code", "code_list_version"])}
    # the few cells of an indicator and area that have targets; the target depends on their area and year only
    candidates = cells[cells["indicator_id"].isin(targets["indicator_id"])
                       & cells["area_code"].isin(targets["jurisdiction_code"])]
    keys = list(zip(candidates["indicator_id"], candidates["area_level"], candidates["area_code"],
                    candidates["code_list_version"], year[candidates.index], strict=True))
    in_force = {key: _target_in_force(by_area.get(key[:4]), key[4]) for key in set(keys)}
    found = [(index, in_force[key]) for index, key in zip(candidates.index, keys, strict=True) if in_force[key]]
    if found:
        index, chosen = zip(*found, strict=True)
        for column, values in zip(("target_year", "target_comparator", "target_value", "target_source"),
                                  zip(*chosen, strict=True), strict=True):
            cells.loc[list(index), column] = list(values)
    cells["gap"] = cells["value"] - cells["target_value"]
    # only cells with a target and no status yet need the comparison; the rest are decided column-wise
    targeted = cells["target_comparator"].notna() & cells["target_year"].notna()
    undecided = targeted & (cells["status"] == "")
    previous = _previous_year_values(cells[targeted])
    cells["status"] = cells["status"].where(cells["status"] != "", NO_TARGET)
    decided = cells[undecided]
    low, high = (decided[c] if c in decided else [np.nan] * len(decided) for c in ("ci_low", "ci_high"))
    cells.loc[undecided, "status"] = [
        _status(row.value, row_low, row_high, row.target_comparator, row.target_value, int(row.period[:4]),
                row.target_year, previous.get(_series_key(row)))
        for row, row_low, row_high in zip(decided.itertuples(index=False), low, high, strict=True)
    ]
    return cells


def _target_in_force(group: pd.DataFrame | None, year: int) -> tuple | None:
    """(target year, comparator, value, source) of the target of ``group`` (one indicator and jurisdiction, sorted
    by year) in force for ``year``, as :func:`apply_targets` says; None without one."""
    if group is None:
        return None
    counts = group[~(group["valid_from"] > year) & ~(group["valid_to"] < year)]
    if counts.empty:
        return None
    later = counts[counts["year"] >= year]
    target = later.iloc[0] if len(later) else counts.iloc[-1]
    value = target["value"] if target["comparator"] != "minimise" else np.nan
    return int(target["year"]), target["comparator"], value, target["source_document"]


def _series_key(row) -> tuple:
    return (row.indicator_id, row.source, row.rule_set, row.area_level, row.area_code, row.code_list_version,
            row.dimension, row.dimension_value, int(row.period[:4]) - 1)


def _previous_year_values(cells: pd.DataFrame) -> dict[tuple, float]:
    yearly = cells[(cells["period_type"] == "year") & cells["value"].notna()]
    return {(r.indicator_id, r.source, r.rule_set, r.area_level, r.area_code, r.code_list_version, r.dimension,
             r.dimension_value, int(r.period)): r.value for r in yearly.itertuples(index=False)}


def _meets(value: float, comparator: str, target: float) -> bool:
    return {"<": value < target, "<=": value <= target, ">=": value >= target, ">": value > target}[comparator]


def _status(value, low, high, comparator, target, year, target_year, previous) -> str:
    if comparator is None or pd.isna(target_year):
        return NO_TARGET
    if comparator == "minimise":
        if previous is None:
            return NO_TARGET
        return ON_TRACK if value < previous else OFF_TRACK
    if pd.isna(low) or pd.isna(high):
        if _meets(value, comparator, target):
            return MET
    else:
        far, near = (high, low) if comparator in ("<", "<=") else (low, high)  # far: the end that meets it last
        if _meets(far, comparator, target):
            return MET
        if _meets(near, comparator, target):
            return CANNOT_TELL
    if year >= target_year or previous is None:
        return OFF_TRACK
    needed = (target - previous) / (target_year - year + 1)  # the yearly move that reaches the target on time
    return ON_TRACK if (value - previous) * np.sign(needed) >= abs(needed) else OFF_TRACK
