"""Disclosure control: the published indicator cells from the unprotected ones (policy: ``disclosure.toml``).

Two tiers. ``restricted_indicator_value`` holds every cell with its numbers (the owner's alone, for accountable
officers); ``indicator_value``, what analysts and reports read, is made from it by :func:`protect` at every
publication, over all the cells (complementary suppression spans areas, periods and indicators), so that an
update publishes what a full recomputation would.

A protected cell (``[protected]``: it counts children) shows two counts, its numerator and its denominator; cells
that count the same children share the count (1.1's numerator is 1.1h's denominator). Among the counts:

- **primary** suppression hides, in a small area (``small_areas``), a numerator from 1 to ``min_count`` − 1, and
  both counts of a cell whose denominator is from 1 to ``min_group`` − 1;
- **complementary** suppression hides more counts until no hidden one can be worked out from the published ones
  (those of the cells with no hidden count; an absent cell is a known zero) by the additive relations, each
  within one count, source, rule set and disaggregation value or period:

  - a total = the sum of its values of each disaggregation (sex, age band, …, "unknown" included);
  - a year = the sum of its quarters = the sum of its half-years, a half-year = the sum of its quarters;
  - an area = the sum of the areas of another level that partition its communes (``area_commune`` with the old
    communes' rows): the nation = its provinces = its communes, a province = its communes, an old territory =
    the new communes it is exactly made of, and an area = another with the same communes. An old commune split
    between new ones is counted in each (``exact_territory`` false there): it is left out of the partitions,
    and a relation with a cell not exact is left out.

  A relation that determines a hidden count (all its other members known, one after another) gets its smallest
  published member hidden: one without a target before one with, a part before the whole, the smaller count
  first. What no such chain gives but a combination of relations does (a linear system over the unknown counts)
  is hidden the same way, until nothing hidden is determined.

A cell with a hidden count is suppressed: no numbers, status ``suppressed`` and ``suppression_reason``
(``small_count`` when one of its own counts is small, else ``complementary``). Cells that identify no child
(establishments inspected, activities) are never suppressed.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix, csr_matrix, identity
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import splu
from sqlalchemy import Connection, delete, select

from warehouse.indicators.cells import SUPPRESSED
from warehouse.infra.bulk import insert_frame, read_frame
from warehouse.infra.versioned import REFERENCE_DIR, checked, read_versioned
from warehouse.schema.models import IndicatorValue, RestrictedIndicatorValue

SMALL_COUNT, COMPLEMENTARY = "small_count", "complementary"
AREA = ["area_level", "area_code", "code_list_version"]
SERIES = ["indicator_id", "source", "rule_set"]  # one indicator's series
COUNT = ["source", "count", "rule_set"]  # one count's series
PLACE = ["period", "period_type", *AREA, "dimension", "dimension_value"]
HIDDEN = ["numerator", "denominator", "value", "ci_low", "ci_high", "gap", "deff", "effective_n", "coverage"]
LEVEL_ORDER = {"commune": 0, "province": 1, "national": 2}
BATCH = 1_000_000  # members of relations factorized together (bench/RESULTS.md, "Tuning")
LU_THREADS = 2  # batches factorized at once (bench/RESULTS.md, "Tuning")


POLICY_FILE = REFERENCE_DIR / "disclosure.toml"

@dataclass(frozen=True)
class DisclosurePolicy:
    version: str
    small_areas: tuple[str, ...]
    min_count: int
    min_group: int
    counts: dict[tuple[str, str], tuple[str, str]]  # protected (indicator_id, source): (numerator, denominator)
    any_rule_set: frozenset[str]  # counts that are the same under every rule set
    not_protected: frozenset[tuple[str, str]]
    summary_min_count: int  # the reports' counts of adults and totals of fines: shown from this many records

    @property
    def protected(self) -> frozenset[tuple[str, str]]:
        return frozenset(self.counts)


@lru_cache(maxsize=4)
def load_policy(path: Path = POLICY_FILE) -> DisclosurePolicy:
    """The settings of ``path`` (default: the packaged file), read once per process."""
    doc = read_versioned(path)
    with checked(path):
        primary = doc["primary"]
        counts = {(i, s): (n, d) for i, s, n, d in doc["protected"]["cells"]}
        not_protected = frozenset(tuple(c) for c in doc["not_protected"]["cells"])
        if set(counts) & not_protected:
            raise ValueError(f"cells both protected and not: {sorted(set(counts) & not_protected)}")
        return DisclosurePolicy(doc["version"], tuple(primary["small_areas"]), int(primary["min_count"]),
                                int(primary["min_group"]), counts, frozenset(doc["protected"]["any_rule_set"]),
                                not_protected, int(doc["summaries"]["min_count"]))


def unclassified(policy: DisclosurePolicy, published: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (indicator, source) pairs published but in neither list of the policy."""
    return sorted(published - policy.protected - policy.not_protected)


def publish(conn: Connection, areas: pd.DataFrame, policy: DisclosurePolicy) -> None:
    """Make ``indicator_value`` from ``restricted_indicator_value`` (:func:`protect`)."""
    columns = [c.name for c in IndicatorValue.__table__.columns]
    source = RestrictedIndicatorValue
    cells = read_frame(conn, select(*(getattr(source, c) for c in columns)), columns)
    published = protect(cells, areas, policy)
    for column in ("numerator", "denominator", "target_year"):  # whole numbers, NULL where hidden
        published[column] = pd.to_numeric(published[column]).astype("Int64")
    conn.execute(delete(IndicatorValue))
    insert_frame(conn, IndicatorValue.__table__, published[columns])


def protect(cells: pd.DataFrame, areas: pd.DataFrame, policy: DisclosurePolicy,
            withheld: pd.Series | None = None) -> pd.DataFrame:
    """``cells`` (unprotected, ``indicator_value``'s columns) as published: suppressed ones without numbers,
    status ``suppressed`` and a ``suppression_reason``. ``areas``: area_level, area_code, code_list_version,
    commune_code, exact (:func:`indicators.reference_frames`). ``withheld``: cells suppressed already, whose
    numbers are gone, taken as primary suppressions."""
    cells = cells.reset_index(drop=True)
    guarded, counts, of_cell, small = _primary(cells, policy)
    if withheld is not None:  # suppressed already: both counts taken as small
        gone = np.asarray(withheld, dtype=bool)[guarded]
        small[of_cell[gone].ravel()] = True
    hidden, determined = _complement(counts, relations(cells.iloc[guarded], of_cell, counts, areas), of_cell, small,
                                     nesting(counts, areas))
    suppressed, reason = np.zeros(len(cells), dtype=bool), np.full(len(cells), None, dtype=object)
    suppressed[guarded] = hidden[of_cell].any(axis=1) & ~determined[of_cell].all(axis=1)
    if withheld is not None:
        suppressed |= np.asarray(withheld, dtype=bool)
    reason[guarded] = np.where(small[of_cell].any(axis=1), SMALL_COUNT, COMPLEMENTARY)
    out = cells.copy()
    for column in HIDDEN:
        if column in out:
            out[column] = out[column].where(~suppressed)
    out["suppressed"] = suppressed
    out["status"] = out["status"].where(~suppressed, SUPPRESSED)
    out["suppression_reason"] = np.where(suppressed, reason, None)
    return out


class FirstRound(NamedTuple):
    """The system :func:`protect` faces in its first round, before any complementary suppression."""

    protected_cells: int
    counts: pd.DataFrame  # :func:`cell_counts`
    small: np.ndarray  # per count: hidden by primary suppression
    relations: pd.DataFrame  # :func:`relations`, in the order of ``relation``
    determined: np.ndarray  # per count: what chains of single relations work out from the counts published


def first_round(cells: pd.DataFrame, areas: pd.DataFrame, policy: DisclosurePolicy) -> FirstRound:
    """The counts of ``cells`` (unprotected; ``areas`` as for :func:`protect`), their primary suppressions and
    relations, and which counts the relations determine one at a time once only the small ones are hidden."""
    cells = cells.reset_index(drop=True)
    guarded, counts, of_cell, small = _primary(cells, policy)
    rel = relations(cells.iloc[guarded], of_cell, counts, areas).sort_values("relation", kind="stable")
    known = _published(of_cell, small)
    relation, row = rel["relation"].to_numpy(), rel["row"].to_numpy()
    determined = known if rel.empty else _chained(relation, row, known, _positions(relation, row, len(counts)))[0]
    return FirstRound(len(guarded), counts, small, rel, determined)


def _primary(cells: pd.DataFrame, policy: DisclosurePolicy) -> tuple[np.ndarray, pd.DataFrame, np.ndarray, np.ndarray]:
    """The positions of the protected ``cells``, their counts and each one's rows (:func:`cell_counts`), and
    which counts primary suppression hides."""
    guarded = np.flatnonzero(_protected(cells, policy))
    counts, of_cell = cell_counts(cells.iloc[guarded], policy)
    return guarded, counts, of_cell, _small(cells.iloc[guarded], counts, of_cell, policy)


def _published(of_cell: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Which counts are published: those of the cells with no ``hidden`` count."""
    known = np.zeros(len(hidden), dtype=bool)
    known[of_cell[~hidden[of_cell].any(axis=1)].ravel()] = True
    return known


def _protected(cells: pd.DataFrame, policy: DisclosurePolicy) -> np.ndarray:
    return pd.MultiIndex.from_frame(cells[["indicator_id", "source"]]).isin(list(policy.protected))


def cell_counts(cells: pd.DataFrame, policy: DisclosurePolicy) -> tuple[pd.DataFrame, np.ndarray]:
    """The distinct counts shown by protected ``cells`` (``COUNT`` + ``PLACE`` columns, ``value``, ``level``: 0
    commune, 1 province, 2 nation; ``targeted``: one of its cells has a target; ``exact``: its cells'
    ``exact_territory``), in the order of their keys, and, per cell, the rows of its numerator's and its
    denominator's count (the same row for a median's cell)."""
    _, first, pair = np.unique(ordered_key(cells, ["indicator_id", "source"]), return_index=True, return_inverse=True)
    names = [policy.counts[key] for key in zip(cells["indicator_id"].to_numpy()[first],
                                                cells["source"].to_numpy()[first], strict=True)]
    sides = []
    for side, column in ((0, "numerator"), (1, "denominator")):
        count = np.array([n[side] for n in names], dtype=object)[pair]
        value = pd.to_numeric(cells[column]).to_numpy(dtype=float)
        if side == 1:  # a median's cell has no denominator: it shows its number of cases
            value = np.where(np.isnan(value), pd.to_numeric(cells["numerator"]).to_numpy(dtype=float), value)
        rule_set = np.where(np.isin(count, list(policy.any_rule_set)), "", cells["rule_set"].to_numpy(dtype=object))
        sides.append(cells[["source", *PLACE]].assign(count=count, rule_set=rule_set, value=value,
                                                        targeted=cells["target_comparator"].notna().to_numpy(),
                                                        exact=cells["exact_territory"].astype(bool).to_numpy()))
    both = pd.concat(sides, ignore_index=True)
    _, first, row = np.unique(ordered_key(both, [*COUNT, *PLACE]), return_index=True, return_inverse=True)
    shown = both[["value", "targeted", "exact"]].groupby(row, sort=True).agg(
        {"value": "max", "targeted": "max", "exact": "min"})
    counts = both.iloc[first][[*COUNT, *PLACE]].reset_index(drop=True)
    counts = counts.assign(**{c: shown[c].to_numpy() for c in shown}, level=lambda f: f["area_level"].map(
        LEVEL_ORDER).fillna(0))
    return counts, row.reshape(2, len(cells)).T


def ordered_key(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """One whole number per row of ``frame`` that orders the rows as their ``columns``' values do, missing
    values last (a frame's sort or grouping on many text columns, on one number)."""
    key = np.zeros(len(frame), dtype=np.int64)
    for column in columns:
        code, values = pd.factorize(frame[column], sort=True, use_na_sentinel=False)
        if key.max(initial=0) >= np.iinfo(np.int64).max // (len(values) + 1):  # made dense again first
            key = np.unique(key, return_inverse=True)[1].astype(np.int64)
        key = key * len(values) + code
    return key


def _small(cells: pd.DataFrame, counts: pd.DataFrame, of_cell: np.ndarray, policy: DisclosurePolicy) -> np.ndarray:
    """Which counts primary suppression hides."""
    num = pd.to_numeric(cells["numerator"]).to_numpy(dtype=float)
    den = pd.to_numeric(cells["denominator"]).to_numpy(dtype=float)
    small_area = cells["area_level"].isin(policy.small_areas).to_numpy()
    few = small_area & (num >= 1) & (num <= policy.min_count - 1)
    group = small_area & (den >= 1) & (den <= policy.min_group - 1)
    small = np.zeros(len(counts), dtype=bool)
    small[of_cell[few | group, 0]] = True
    small[of_cell[group, 1]] = True
    return small


# ---------------------------------------------------------------- relations

NO_RELATIONS = pd.DataFrame({"relation": [], "row": [], "sign": []}, dtype=int)


def relations(cells: pd.DataFrame, of_cell: np.ndarray, counts: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Every additive relation among ``counts`` (rows: relation, row, sign): Σ sign × count = 0, with +1 on the
    whole and −1 on each part present (absent parts are zeros). ``row``: the position in ``counts``. The values
    of a disaggregation are those of each indicator and rule set (age bands differ between rule sets): those
    relations are found among the ``cells`` whose counts ``of_cell`` gives."""
    cells = cells[[*SERIES, "period", *AREA, "dimension"]].reset_index(drop=True).assign(row=np.arange(len(cells)))
    totals, parts = cells[cells["dimension"] == "total"], cells[cells["dimension"] != "total"]
    by_cell = [_joined(totals, group, ["indicator_id", "source", "rule_set", "period", *AREA])
               for _, group in parts.groupby("dimension")]
    found = [frame.assign(row=of_cell[frame["row"].to_numpy(), side], relation=frame["relation"] * 2 + side)
             for frame in by_cell if len(frame) for side in (0, 1)]
    counts = counts.reset_index(drop=True).assign(row=np.arange(len(counts)))
    kind = counts["period_type"]
    half = counts["period"].where(kind == "half", counts["period"].str[:4] + np.where(
        counts["period"].str[-1:].isin(["1", "2"]), "-H1", "-H2"))
    dated = counts[[*COUNT, *AREA, "dimension", "dimension_value", "row"]].assign(_year=counts["period"].str[:4],
                                                                                    _half=half)
    for whole, part, key in (("year", "quarter", "_year"), ("year", "half", "_year"), ("half", "quarter", "_half")):
        found.append(_joined(dated[kind == whole], dated[kind == part],
                             [*COUNT, *AREA, "dimension", "dimension_value", key]))
    found.append(_area_relations(counts, areas))
    out, offset = [], 0
    for frame in found:
        if len(frame):
            out.append(frame.assign(relation=frame["relation"] + offset))
            offset += int(frame["relation"].max()) + 1
    return pd.concat(out, ignore_index=True) if out else NO_RELATIONS


def _joined(whole: pd.DataFrame, parts: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Relations joining each whole row to the part rows with the same ``keys``, numbered in the order of the
    keys, then of the whole's row (the keys are joined as one number that keeps their order)."""
    key = ordered_key(pd.concat([whole[keys], parts[keys]], ignore_index=True), keys)
    joined = pd.DataFrame({"key": key[:len(whole)], "row": whole["row"].to_numpy()}).merge(
        pd.DataFrame({"key": key[len(whole):], "row_part": parts["row"].to_numpy()}), on="key")
    if joined.empty:
        return NO_RELATIONS
    joined["relation"] = joined.groupby(["key", "row"], sort=True).ngroup()
    wholes = joined.drop_duplicates("relation")[["relation", "row"]].assign(sign=1)
    members = joined[["relation", "row_part"]].rename(columns={"row_part": "row"}).assign(sign=-1)
    return pd.concat([wholes, members], ignore_index=True)


PART_AREA = [f"{c}_part" for c in AREA]


def partitions(areas: pd.DataFrame) -> pd.DataFrame:
    """Each area with the areas of one other level that partition its communes (``AREA`` columns: the whole;
    ``_part`` columns: a part; ``level_part``: the parts' level). An old commune split between areas (a member
    not ``exact`` somewhere) is left out of all: where it has rows, the cells that hold it are not exact."""
    split = areas.loc[~areas["exact"].astype(bool), "commune_code"]
    members = areas.loc[~areas["commune_code"].isin(split), [*AREA, "commune_code"]].drop_duplicates()
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


def _area_relations(counts: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    parts_of = partitions(areas)
    if parts_of.empty:
        return NO_RELATIONS
    exact = counts["exact"].to_numpy()
    ids = pd.MultiIndex.from_frame(areas[AREA]).unique().sort_values()  # numbers in the order of the areas' keys

    def area_id(frame: pd.DataFrame) -> np.ndarray:
        return ids.get_indexer(pd.MultiIndex.from_frame(frame.set_axis(AREA, axis=1)))

    counts = pd.DataFrame({"series": ordered_key(counts, [*COUNT, "period", "dimension", "dimension_value"]),
                           "area": area_id(counts[AREA]), "row": counts["row"].to_numpy()})
    parts_of = pd.DataFrame({"area": area_id(parts_of[AREA]), "part": area_id(parts_of[PART_AREA]),
                             "level_part": parts_of["level_part"].to_numpy()})
    whole = counts.merge(parts_of[["area", "level_part"]].drop_duplicates(), on="area")
    part = counts.rename(columns={"area": "part"}).merge(parts_of, on="part")
    found = _joined(whole, part, ["series", "area", "level_part"])
    inexact = found.loc[~exact[found["row"]], "relation"]  # holds an old commune's rows
    return found[~found["relation"].isin(inexact)]  # more than once: no sum


# ---------------------------------------------------------------- complementary suppression


def nesting(counts: pd.DataFrame, areas: pd.DataFrame) -> np.ndarray:
    """Per count, the number of the province and of the commune its area lies in (−1: it spans more than one).
    A commune's province is that of its own code list."""
    own = areas[(areas["area_level"] == "commune") & (areas["area_code"] == areas["commune_code"])]
    provinces = areas.loc[areas["area_level"] == "province", ["code_list_version", "commune_code", "area_code"]]
    home = own[["code_list_version", "commune_code"]].merge(provinces, on=["code_list_version", "commune_code"])
    home = home.drop_duplicates("commune_code").set_index("commune_code")["area_code"]
    members = areas[[*AREA, "commune_code"]].assign(province=lambda f: f["commune_code"].map(home))
    members = members.assign(province=pd.factorize(members["province"])[0],  # NaN (none): −1
                             commune=pd.factorize(members["commune_code"])[0])
    spans = members.groupby(AREA).agg(province=("province", "max"), provinces=("province", "nunique"),
                                      commune=("commune", "max"), communes=("commune", "nunique"))
    spans["province"] = spans["province"].where(spans["provinces"] == 1, -1)
    spans["commune"] = spans["commune"].where(spans["communes"] == 1, -1)
    found = spans.reindex(pd.MultiIndex.from_frame(counts[AREA]))[["province", "commune"]]
    return found.fillna(-1).to_numpy(dtype=np.int64)


def _complement(counts: pd.DataFrame, rel: pd.DataFrame, of_cell: np.ndarray, small: np.ndarray,
                nest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The counts hidden: the ``small`` ones (primary), and as many more as keep every small one undetermined;
    and the counts the published ones determine (a cell whose counts all are protects nothing: it is shown).
    ``nest``: each count's province and commune (:func:`nesting`)."""
    if rel.empty:
        return small.copy(), np.zeros(len(small), dtype=bool)
    rel = rel.assign(targeted=counts["targeted"].to_numpy()[rel["row"]], level=counts["level"].to_numpy()[rel["row"]],
                     value=np.nan_to_num(counts["value"].to_numpy(dtype=float)[rel["row"]]))
    rel = rel.sort_values(["relation", "targeted", "sign", "level", "value", "row"], kind="stable")
    relation, row = rel["relation"].to_numpy(), rel["row"].to_numpy()
    sign, at = rel["sign"].to_numpy(dtype=float), _positions(relation, row, len(counts))
    hidden = small.copy()
    while True:
        known = _published(of_cell, hidden)
        determined, by, step = _chained(relation, row, known, at)
        leaks, combined = np.flatnonzero(hidden & determined), None
        if leaks.size:  # the first found: those found after them may follow from them
            leaks = leaks[step[leaks] == step[leaks].min()]
            more = _first_known(relation, row, known, by[leaks])
        else:
            combined, used = _combined(relation, row, sign, determined, small, nest)
            if not (combined & small).any():
                break
            more = _first_known(relation, row, known, used)
        if not (more & ~hidden).any():
            break  # pinned by relations wholly hidden: more would not help
        hidden |= more
    if combined is None:
        combined = _combined(relation, row, sign, determined, small, nest)[0]
    return hidden, determined | combined


class _Positions(NamedTuple):
    """Where each relation's members start (``relation`` in order), and each count's members."""

    starts: np.ndarray
    of_row: np.ndarray
    row_starts: np.ndarray


def _positions(relation: np.ndarray, row: np.ndarray, size: int) -> _Positions:
    of_row = np.argsort(row, kind="stable")
    return _Positions(np.searchsorted(relation, np.arange(relation.max() + 2)), of_row,
                      np.searchsorted(row[of_row], np.arange(size + 1)))


def _chained(relation: np.ndarray, row: np.ndarray, known: np.ndarray,
             at: _Positions) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The counts the relations determine from the ``known`` ones, one relation at a time (a relation with one
    unknown member determines it); for each, the relation that did (the first: −1 when known) and in which round.
    ``relation`` is in order, ``at`` its positions (:func:`_positions`); each round looks only at the relations the
    last one touched."""
    determined, by, step = known.copy(), np.full(len(known), -1), np.zeros(len(known), dtype=int)
    unknown = np.bincount(relation[~determined[row]], minlength=len(at.starts) - 1)
    ready, round_ = np.flatnonzero(unknown == 1), 0
    while ready.size:
        round_ += 1
        members = _ranges(at.starts, ready)
        members = members[~determined[row[members]]]
        newly, first = np.unique(row[members], return_index=True)
        by[newly], step[newly], determined[newly] = relation[members[first]], round_, True
        touched = relation[at.of_row[_ranges(at.row_starts, newly)]]
        np.subtract.at(unknown, touched, 1)
        ready = np.unique(touched[unknown[touched] == 1])
    return determined, by, step


def _ranges(starts: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The positions from ``starts[i]`` to ``starts[i + 1]`` for each of ``ids``, in order."""
    low, length = starts[ids], starts[ids + 1] - starts[ids]
    return np.repeat(low - np.cumsum(length) + length, length) + np.arange(length.sum())


def _combined(relation: np.ndarray, row: np.ndarray, sign: np.ndarray, determined: np.ndarray,
              asked: np.ndarray, nest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The counts that a combination of relations determines although no chain does: those on which every
    solution of the homogeneous system A x = 0 over the undetermined counts is zero, tested on two random vectors
    projected onto its null space (fixed seeds: the same counts every time). And the relations of the
    combination that gives the first ``asked`` one of them in each connected group of the undetermined counts (the
    least-squares y of Aᵀ y = its unit vector): the groups are independent, so each round repairs one in each.

    Both solve (A Aᵀ + εI) w = A v, factorized a batch of whole groups at a time (``BATCH`` members of relations,
    or one group larger than that; ``LU_THREADS`` batches at once): a sparse LU with the matrix's own diagonal as
    pivots (it is symmetric positive definite), the relations in the order of the areas' nesting (``nest``: each
    count's province and commune), those within a commune first, then those within a province, then the rest. A
    general ordering fills in across the whole country; this one keeps the fill within a province."""
    fixed, used = np.zeros(len(determined), dtype=bool), [np.array([], dtype=int)]
    open_ = ~determined[row]
    relation, row, sign = relation[open_], row[open_], sign[open_]
    columns, column = np.unique(row, return_inverse=True)
    lines, line = np.unique(relation, return_inverse=True)
    graph = coo_matrix((np.ones(len(line)), (line, column + len(lines))), shape=(len(lines) + len(columns),) * 2)
    group = connected_components(graph, directed=False)[1]
    of_line, of_column = group[:len(lines)], group[len(lines):]
    size = np.bincount(of_line[line])
    batch = ((np.cumsum(size) - size) // BATCH)[of_line[line]]

    def factorized(number: int) -> tuple[np.ndarray, np.ndarray]:
        """One batch's counts fixed, and the relations its combinations use."""
        members = np.flatnonzero(batch == number)
        cols, col = np.unique(column[members], return_inverse=True)
        lns, ln = np.unique(line[members], return_inverse=True)
        order = _nested_order(ln, nest[row[members]], len(lns))
        rank = np.empty(len(lns), dtype=np.int64)
        rank[order] = np.arange(len(lns))
        lns, ln = lns[order], rank[ln]
        matrix = csr_matrix((sign[members], (ln, col)), shape=(len(lns), len(cols)))
        solve = splu((matrix @ matrix.T + 1e-12 * identity(len(lns))).tocsc(), permc_spec="NATURAL",
                     diag_pivot_thresh=0.0, options={"SymmetricMode": True}).solve
        free, random = np.zeros(len(cols), dtype=bool), np.random.default_rng((0, number))
        for _ in range(2):
            r = random.standard_normal(len(cols))
            free |= np.abs(r - matrix.T @ solve(matrix @ r)) > 1e-6  # r's projection on the null space
        at = np.flatnonzero(~free & asked[columns[cols]])
        if not at.size:
            return columns[cols[~free]], np.array([], dtype=int)
        first = at[np.unique(of_column[cols[at]], return_index=True)[1]]  # one in each group
        units = csr_matrix((np.ones(len(first)), (first, np.arange(len(first)))), shape=(len(cols), len(first)))
        combination = solve((matrix @ units).toarray()).reshape(len(lns), len(first))
        return columns[cols[~free]], lines[lns[np.abs(combination).max(axis=1) > 1e-9]]

    with ThreadPoolExecutor(LU_THREADS) as pool:  # SuperLU lets go of the GIL while it factorizes
        for counts, relations_used in pool.map(factorized, np.unique(batch)):
            fixed[counts] = True
            used.append(relations_used)
    return fixed, np.unique(np.concatenate(used))


def _nested_order(line: np.ndarray, place: np.ndarray, size: int) -> np.ndarray:
    """The lines ordered by where their members (``place``: province, commune) lie: all in one commune, then all
    in one province, then the rest; by province and commune within each."""
    low, high = np.full((size, 2), np.iinfo(np.int64).max), np.full((size, 2), -1)
    np.minimum.at(low, line, place)
    np.maximum.at(high, line, place)
    within = np.where(low == high, low, -1)
    return np.lexsort((within[:, 1], within[:, 0], (within < 0).sum(axis=1)))


def _first_known(relation: np.ndarray, row: np.ndarray, known: np.ndarray, relations: np.ndarray) -> np.ndarray:
    """The first known member of each of ``relations`` (their rows are in order of preference)."""
    chosen, asked = np.zeros(len(known), dtype=bool), np.zeros(relation.max(initial=-1) + 1, dtype=bool)
    asked[relations] = True
    candidates = asked[relation] & known[row]
    _, first = np.unique(relation[candidates], return_index=True)
    chosen[row[candidates][first]] = True
    return chosen
