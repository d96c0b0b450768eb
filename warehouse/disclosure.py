"""Disclosure control: the published indicator cells from the unprotected ones (policy: ``disclosure.toml``).

:func:`protect` takes every cell with its numbers and hides, among the cells that count children:

- **primary** suppression: a cell that counts children (``[protected]``) in a small area (``small_areas``) with
  a numerator from 1 to ``min_count`` − 1 or a denominator from 1 to ``min_group`` − 1;
- **complementary** suppression, so that no suppressed cell can be recomputed by subtraction. The additive
  relations, each holding for numerators and denominators alike, within one indicator, source and rule set:

  - a total = the sum of its values of each disaggregation (sex, age band, …, "unknown" included);
  - a year = the sum of its quarters;
  - an area = the sum of the areas of another level that partition its communes (``area_commune`` with the old
    communes' rows): the nation = its provinces = its communes, a province = its communes, an old territory =
    the new communes it is exactly made of, and an area = another with the same communes.

  An absent cell is a known zero. Indicators of one source share their numerators and denominators (1.1's
  numerator is 1.1h's denominator, 2.2's denominator is 1.1's), and so do rule sets, so the cells of one source,
  period, area and disaggregation value, whatever the indicator and rule set, are suppressed together: no
  equality across indicators reveals one. Then, in every relation with exactly one suppressed member, the
  smallest other member (by numerator, denominator, key; a part before the whole) is suppressed too, until no
  relation has exactly one; and a suppressed cell that the relations still determine, in any combination (a
  linear system of the suppressed cells), gets the smallest published member of one of its relations suppressed,
  until none is determined.

Cells that identify no child (establishments inspected, activities) are never suppressed. A suppressed cell
carries no numbers, and its reason (``suppression_reason``: ``small_count`` or ``complementary``).

Not yet applied by the indicator step, which still suppresses with ``min_cell`` (``warehouse.cells.finish``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.linalg import lsqr

from warehouse.cells import SUPPRESSED

SMALL_COUNT, COMPLEMENTARY = "small_count", "complementary"
AREA = ["area_level", "area_code", "code_list_version"]
SERIES = ["indicator_id", "source", "rule_set"]
POSITION = ["source", "period", *AREA, "dimension", "dimension_value"]  # suppressed together
HIDDEN = ["numerator", "denominator", "value", "ci_low", "ci_high", "gap"]


POLICY_FILE = Path(__file__).parent / "reference" / "disclosure.toml"

@dataclass(frozen=True)
class DisclosurePolicy:
    version: str
    small_areas: tuple[str, ...]
    min_count: int
    min_group: int
    protected: frozenset[tuple[str, str]]  # (indicator_id, source)
    not_protected: frozenset[tuple[str, str]]


@lru_cache(maxsize=4)
def load_policy(path: Path = POLICY_FILE) -> DisclosurePolicy:
    """The settings of ``path`` (default: the packaged file), read once per process."""
    doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    primary = doc["primary"]
    protected = frozenset(tuple(c) for c in doc["protected"]["cells"])
    not_protected = frozenset(tuple(c) for c in doc["not_protected"]["cells"])
    if protected & not_protected:
        raise ValueError(f"disclosure.toml: cells both protected and not: {sorted(protected & not_protected)}")
    return DisclosurePolicy(doc["version"], tuple(primary["small_areas"]), int(primary["min_count"]),
                            int(primary["min_group"]), protected, not_protected)


def unclassified(policy: DisclosurePolicy, published: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (indicator, source) pairs published but in neither list of the policy."""
    return sorted(published - policy.protected - policy.not_protected)


def primary(cells: pd.DataFrame, policy: DisclosurePolicy) -> pd.Series:
    """Which cells are suppressed for their small counts."""
    num = pd.to_numeric(cells["numerator"]).astype(float)
    den = pd.to_numeric(cells["denominator"]).astype(float)
    small = (num.between(1, policy.min_count - 1)) | (den.between(1, policy.min_group - 1))
    return _protected(cells, policy) & cells["area_level"].isin(policy.small_areas) & small


def protect(cells: pd.DataFrame, areas: pd.DataFrame, policy: DisclosurePolicy,
            withheld: pd.Series | None = None) -> pd.DataFrame:
    """``cells`` (unprotected, ``indicator_value``'s columns) as published: suppressed ones without numbers,
    status ``suppressed`` and a ``suppression_reason``. ``areas``: area_level, area_code, code_list_version,
    commune_code (:func:`warehouse.indicators.reference_frames`). ``withheld``: cells suppressed already, whose
    numbers are gone, taken as primary suppressions."""
    cells = cells.reset_index(drop=True)
    small = primary(cells, policy)
    if withheld is not None:
        small = small | pd.Series(np.asarray(withheld, dtype=bool), index=cells.index)
    guarded = _protected(cells, policy).to_numpy()
    hidden = _complement(cells[guarded].reset_index(drop=True), small[guarded].to_numpy(), areas)
    suppressed = np.zeros(len(cells), dtype=bool)
    suppressed[np.flatnonzero(guarded)] = hidden
    out = cells.copy()
    for column in HIDDEN:
        out[column] = out[column].where(~suppressed)
    out["suppressed"] = suppressed
    out["status"] = out["status"].where(~suppressed, SUPPRESSED)
    out["suppression_reason"] = np.select([small.to_numpy(), suppressed], [SMALL_COUNT, COMPLEMENTARY], None)
    out["suppression_reason"] = out["suppression_reason"].where(suppressed, None)
    return out


def _protected(cells: pd.DataFrame, policy: DisclosurePolicy) -> pd.Series:
    pairs = pd.MultiIndex.from_frame(cells[["indicator_id", "source"]])
    return pd.Series(pairs.isin(list(policy.protected)), index=cells.index)


# ---------------------------------------------------------------- relations and complementary suppression

NO_RELATIONS = pd.DataFrame({"relation": [], "row": [], "sign": []}, dtype=int)


def relations(cells: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Every additive relation among ``cells`` (rows: relation, row, sign): Σ sign × cell = 0, with +1 on the
    whole and −1 on each part present (absent parts are zeros). ``row``: the position in ``cells``."""
    cells = cells.reset_index(drop=True).assign(row=np.arange(len(cells)))
    totals, parts = cells[cells["dimension"] == "total"], cells[cells["dimension"] != "total"]
    found = [_joined(totals, group, [*SERIES, "period", *AREA]) for _, group in parts.groupby("dimension")]
    half = cells["period"].str[:4] + np.where(cells["period"].str[-1:].isin(["1", "2"]), "-H1", "-H2")
    dated = cells.assign(_year=cells["period"].str[:4], _half=half.where(cells["period_type"] != "year"))
    kind = dated["period_type"]
    for whole, part, key in (("year", "quarter", "_year"), ("year", "half", "_year"), ("half", "quarter", "_half")):
        found.append(_joined(dated[kind == whole], dated[kind == part],
                             [*SERIES, *AREA, "dimension", "dimension_value", key]))
    found.append(_area_relations(cells, areas))
    out, offset = [], 0
    for frame in found:
        if len(frame):
            out.append(frame.assign(relation=frame["relation"] + offset))
            offset += int(frame["relation"].max()) + 1
    return pd.concat(out, ignore_index=True) if out else NO_RELATIONS


def _joined(whole: pd.DataFrame, parts: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Relations joining each whole row to the part rows with the same ``keys``."""
    joined = whole[[*keys, "row"]].merge(parts[[*keys, "row"]], on=keys, suffixes=("", "_part"))
    if joined.empty:
        return NO_RELATIONS
    joined["relation"] = joined.groupby([*keys, "row"], sort=True).ngroup()
    wholes = joined.drop_duplicates("relation")[["relation", "row"]].assign(sign=1)
    members = joined[["relation", "row_part"]].rename(columns={"row_part": "row"}).assign(sign=-1)
    return pd.concat([wholes, members], ignore_index=True)


PART_AREA = [f"{c}_part" for c in AREA]


def partitions(areas: pd.DataFrame) -> pd.DataFrame:
    """Each area with the areas of one other level that partition its communes (``AREA`` columns: the whole;
    ``_part`` columns: a part; ``level_part``: the parts' level)."""
    members = areas[[*AREA, "commune_code"]].drop_duplicates()
    members = members.assign(level=members["area_level"] + "/" + members["code_list_version"])
    size = members.groupby(AREA).size()
    pairs = members.merge(members, on="commune_code", suffixes=("", "_part"))
    pairs = pairs[pairs["level"] != pairs["level_part"]]
    shared = pairs.groupby([*AREA, *PART_AREA, "level_part"], as_index=False).size()
    shared["whole_size"] = size.reindex(pd.MultiIndex.from_frame(shared[AREA])).to_numpy()
    shared["part_size"] = size.reindex(pd.MultiIndex.from_frame(shared[PART_AREA].set_axis(AREA, axis=1))
                                       ).to_numpy()
    inside = shared[shared["size"] == shared["part_size"]]  # every commune of the part is the whole's
    level = [*AREA, "level_part"]
    summed = inside.groupby(level)["part_size"].transform("sum")
    return inside.loc[summed == inside["whole_size"], [*AREA, *PART_AREA, "level_part"]].reset_index(drop=True)


def _area_relations(cells: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    parts_of = partitions(areas)
    if parts_of.empty:
        return NO_RELATIONS
    whole = cells.merge(parts_of[[*AREA, "level_part"]].drop_duplicates(), on=AREA)
    part = cells.rename(columns=dict(zip(AREA, PART_AREA, strict=True))).merge(parts_of, on=PART_AREA)
    return _joined(whole, part, [*SERIES, "period", "dimension", "dimension_value", *AREA, "level_part"])


def _complement(cells: pd.DataFrame, small: np.ndarray, areas: pd.DataFrame) -> np.ndarray:
    """Which of the protected ``cells`` are suppressed: the ``small`` ones and their complements."""
    if cells.empty:
        return small.astype(bool)
    unit = cells.groupby(POSITION, sort=True).ngroup().to_numpy()
    hidden = np.zeros(unit.max() + 1, dtype=bool)
    hidden[unit[small]] = True
    rel = relations(cells, areas)
    if rel.empty:
        return hidden[unit]
    rel = rel.assign(unit=unit[rel["row"].to_numpy()],
                     numerator=pd.to_numeric(cells["numerator"]).to_numpy(dtype=float)[rel["row"].to_numpy()],
                     denominator=pd.to_numeric(cells["denominator"]).to_numpy(dtype=float)[rel["row"].to_numpy()])
    rel = rel.fillna({"numerator": 0.0, "denominator": 0.0}).sort_values(
        ["relation", "sign", "numerator", "denominator", "unit"], kind="stable")  # a part before the whole
    while True:
        _close_singletons(rel, hidden)
        determined = _determined(rel, hidden[rel["unit"].to_numpy()])
        if not determined.size:
            return hidden[unit]
        # in a relation of each determined cell, the smallest published member is suppressed
        is_hidden = hidden[rel["unit"].to_numpy()]
        first = rel[rel["row"].isin(determined)].groupby("row", sort=True)["relation"].first()
        candidates = rel[rel["relation"].isin(first) & ~is_hidden]
        if candidates.empty:  # pinned by relations wholly suppressed (only zeros can be): more would not help
            return hidden[unit]
        order = ["relation", "sign", "numerator", "denominator", "unit"]
        hidden[candidates.sort_values(order, kind="stable").groupby("relation")["unit"].first().to_numpy()] = True


def _close_singletons(rel: pd.DataFrame, hidden: np.ndarray) -> None:
    """Until no relation has exactly one suppressed member, suppress the smallest other member of each that has."""
    while True:
        is_hidden = hidden[rel["unit"].to_numpy()]
        count = pd.Series(is_hidden).groupby(rel["relation"].to_numpy()).transform("sum").to_numpy()
        open_members = rel[(count == 1) & ~is_hidden]
        if open_members.empty:
            return
        hidden[open_members.groupby("relation", sort=True)["unit"].first().to_numpy()] = True


def _determined(rel: pd.DataFrame, is_hidden: np.ndarray) -> np.ndarray:
    """The rows of suppressed cells that the relations determine from the published ones: those on which the
    solutions of the homogeneous system over the suppressed cells are all zero. Tested on two random vectors
    projected onto its null space (sparse least squares; a fixed seed: the same cells every time)."""
    hidden_rel = rel[is_hidden]
    if hidden_rel.empty:
        return np.array([], dtype=int)
    rows, columns = np.unique(hidden_rel["row"].to_numpy(), return_inverse=True)
    _, lines = np.unique(hidden_rel["relation"].to_numpy(), return_inverse=True)
    matrix = csr_matrix((hidden_rel["sign"].to_numpy(dtype=float), (lines, columns)),
                        shape=(lines.max() + 1, len(rows)))
    random = np.random.default_rng(0)
    free = np.zeros(len(rows), dtype=bool)
    for _ in range(2):
        r = random.standard_normal(len(rows))
        w = lsqr(matrix.T, r, atol=1e-14, btol=1e-14, iter_lim=20 * len(rows) + 100)[0]
        z = r - matrix.T @ w  # the projection of r onto the null space
        free |= np.abs(z) > 1e-6
    return rows[~free]
