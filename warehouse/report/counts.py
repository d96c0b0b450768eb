"""Counts shown in a report, with the same small-cell rule as published indicator cells.

A count of children (or of establishments found using them) is a numerator over its total: it is suppressed
when it or the total is below the threshold.
A total of zero is shown (it names no one), and so is every part of it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Count:
    """A number to show, or ``None`` when it is suppressed (shown as suppressed, never as zero)."""

    value: int | None

    @property
    def suppressed(self) -> bool:
        return self.value is None


def protected_total(n: int, min_cell: int) -> Count:
    return Count(n if n == 0 or n >= min_cell else None)


def protected_part(n: int, total: int, min_cell: int) -> Count:
    """``n`` out of ``total``: suppressed when either is below ``min_cell`` (unless the total is zero)."""
    if total == 0:
        return Count(0)
    return Count(None if n < min_cell or total < min_cell else n)
