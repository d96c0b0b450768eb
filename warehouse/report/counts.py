"""Counts of children shown in a report's summaries, under the disclosure policy of the indicator cells.

A count that an indicator cell also counts (cases identified, supported in time, closed; young child labourers
found at inspections) is read from the published cell of the report's area and period, so a summary shows nothing
the cell's protection hides. A count that no cell holds (cases by status, closures by reason, young workers) is
shown only outside the policy's small areas, where no count points at a child, and a part only with its total.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from warehouse.indicators.disclosure import load_policy
from warehouse.indicators.periods import Period
from warehouse.report.area import ReportArea
from warehouse.schema.models import IndicatorValue


@dataclass(frozen=True)
class Count:
    """A number to show, or ``None`` when it is suppressed (shown as suppressed, never as zero)."""

    value: int | None

    @property
    def suppressed(self) -> bool:
        return self.value is None


SUPPRESSED = Count(None)


def protected_total(n: int, min_cell: int) -> Count:
    return Count(n if n == 0 or n >= min_cell else None)


class PublishedCounts:
    """The published cells of one indicator for an area and period, by (dimension, value); an absent cell is a
    zero, and so is a count a cell leaves empty (a denominator of no one)."""

    def __init__(self, engine: Engine, area, period: Period, indicator_id: str, source: str, rule_set: str = ""):
        iv = IndicatorValue
        with engine.connect() as conn:
            rows = conn.execute(select(
                iv.dimension, iv.dimension_value, iv.numerator, iv.denominator, iv.suppressed).where(
                iv.indicator_id == indicator_id, iv.source == source, iv.rule_set == rule_set,
                iv.period == period.key, iv.area_level == area.level, iv.area_code == area.code,
                iv.code_list_version == area.code_list_version)).all()
        self.cells = {(r.dimension, r.dimension_value): None if r.suppressed else (r.numerator, r.denominator)
                      for r in rows}

    def total(self, side: int) -> Count:
        """The total cell's numerator (``side`` 0) or denominator (1)."""
        return self._count(("total", "all"), side)

    def parts(self, dimension: str, codes: tuple[str, ...], side: int) -> tuple[tuple[str, Count], ...]:
        """Each code's count, in order (codes with a cell but not listed last): all suppressed with the total."""
        extra = sorted(value for dim, value in self.cells if dim == dimension and value not in codes)
        hidden = self.total(side).suppressed
        return tuple((code, SUPPRESSED if hidden else self._count((dimension, code), side))
                     for code in (*codes, *extra))

    def _count(self, key: tuple[str, str], side: int) -> Count:
        if key not in self.cells:
            return Count(0)
        cell = self.cells[key]
        return SUPPRESSED if cell is None else Count(int(cell[side] or 0))


def unheld(area: ReportArea, n: int) -> Count:
    """A count of children that no indicator cell holds: shown only outside the policy's small areas."""
    return SUPPRESSED if area.level in load_policy().small_areas else Count(n)


def unheld_parts(area: ReportArea, counts: dict, codes: tuple[str, ...], total: Count) -> tuple[tuple[str, Count], ...]:
    """The parts of ``total`` that no cell holds, each code in order (codes found but not listed last, None as
    ``unknown``): suppressed in small areas and whenever the total is."""
    values = {str(code) if code is not None else "unknown": n for code, n in counts.items()}
    extra = sorted(code for code in values if code not in codes)
    return tuple((code, SUPPRESSED if total.suppressed else unheld(area, values.get(code, 0)))
                 for code in (*codes, *extra))
