"""The indicator cells of an ad-hoc date range, protected before a report shows them.

Cells are published per year, half-year and quarter only. A range's figures are computed the way a data cut-off's
are (``cutoff``): on a copy of the warehouse holding only the data of the range's days, where the year's
cells are the range's. Before the report reads them, the disclosure policy (``warehouse.indicators.disclosure``,
``disclosure.toml``) is applied to them: the cells already suppressed (``min_cell``) and those with small counts,
and their complements among the range's own cells (a total and its breakdowns, an area and its communes).
A range cell could also, with the published cells, give away a published cell that is hidden: a range of whole
quarters is such a cell, and a range's figure minus a published one bounds or gives the rest. So, simply and on
the safe side, a range cell is suppressed too when the published cell of the same indicator, source, rule set,
area and breakdown is suppressed for any year, half-year or quarter the range overlaps.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, delete, insert, select

from warehouse.indicators.cells import SUPPRESSED
from warehouse.indicators.disclosure import AREA, HIDDEN, SERIES, load_policy, protect
from warehouse.indicators.indicators import reference_frames
from warehouse.indicators.periods import DateRange
from warehouse.schema.models import IndicatorValue

IV = IndicatorValue.__table__
MATCH = [*SERIES, *AREA, "dimension", "dimension_value"]


def protect_range_cells(copy: Engine, published: Engine, span: DateRange) -> None:
    """Suppress, in ``copy`` (the range's warehouse), the range's cells that the policy or a hidden published cell
    of ``published`` withholds."""
    with copy.connect() as conn:
        cells = _frame(conn.execute(select(IV).where(IV.c.period == str(span.year))))
        areas = reference_frames(conn)[0]
    if cells.empty:
        return
    guarded = protect(cells, areas, load_policy(), withheld=cells["suppressed"].astype(bool))
    hidden = guarded["suppressed"].to_numpy() | _hidden_published(published, cells, span)
    out = cells.copy()
    for column in [c for c in HIDDEN if c in out]:
        out[column] = out[column].astype(object).where(~hidden, None)
    out["suppressed"] = hidden
    out["status"] = out["status"].where(~hidden, SUPPRESSED)
    rows = out.astype(object).where(out.notna(), None).to_dict("records")
    with copy.begin() as conn:
        conn.execute(delete(IV).where(IV.c.period == str(span.year)))
        conn.execute(insert(IV), rows)


def _hidden_published(published: Engine, cells: pd.DataFrame, span: DateRange) -> pd.Series:
    """Which range cells match a suppressed published cell of a period the range overlaps."""
    halves = {f"{span.year}-H{1 if q <= 2 else 2}" for q in span.quarters}
    periods = {str(span.year), *halves, *(f"{span.year}-Q{q}" for q in span.quarters)}
    with published.connect() as conn:
        hidden = _frame(conn.execute(select(*(IV.c[c] for c in MATCH)).distinct().where(
            IV.c.period.in_(periods), IV.c.suppressed.is_(True), IV.c.area_code.in_(set(cells["area_code"])))))
    if hidden.empty:
        return pd.Series(False, index=cells.index).to_numpy()
    return pd.MultiIndex.from_frame(cells[MATCH]).isin(pd.MultiIndex.from_frame(hidden[MATCH]))


def _frame(result) -> pd.DataFrame:
    return pd.DataFrame(result.all(), columns=list(result.keys()))
