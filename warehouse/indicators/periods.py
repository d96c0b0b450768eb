"""Reporting periods: a year (``2026``), a half-year (``2026-H1``) or a quarter (``2026-Q3``).

Indicator cells are published for each (``indicator_value.period``, ``period_type`` year, half or quarter); a
period is named the way Vietnamese reports name it: "năm 2026", "6 tháng đầu năm 2026", "quý III/2026".
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from warehouse.infra.messages import text

_KEY = re.compile(r"^(\d{4})(?:-(?:H([12])|Q([1-4])))?$")
ROMAN = ("I", "II", "III", "IV")


@dataclass(frozen=True)
class Period:
    year: int
    kind: str = "year"  # year | half | quarter
    number: int | None = None  # the half (1–2) or the quarter (1–4)

    @classmethod
    def parse(cls, key: str) -> Period:
        """The period of ``2026``, ``2026-H1`` or ``2026-Q3``; anything else is an error."""
        found = _KEY.match(key.strip())
        if not found:
            raise ValueError(text("periods.bad_period", period=key))
        year, half, quarter = found.groups()
        if half:
            return cls(int(year), "half", int(half))
        return cls(int(year), "quarter", int(quarter)) if quarter else cls(int(year))

    @classmethod
    def within(cls, year: int, part: str) -> Period:
        """The part (``""`` the whole year, ``H1``, ``Q3``…) of ``year``."""
        return cls.parse(f"{year}-{part.strip().upper()}" if part.strip() else str(year))

    @property
    def key(self) -> str:
        return {"year": str(self.year), "half": f"{self.year}-H{self.number}",
                "quarter": f"{self.year}-Q{self.number}"}[self.kind]

    @property
    def quarters(self) -> tuple[int, ...]:
        """The quarters of the year the period covers."""
        if self.kind == "quarter":
            return (self.number,)
        return (1, 2) if self.number == 1 else (3, 4) if self.kind == "half" else (1, 2, 3, 4)

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.quarters[0] - 2, 1)

    @property
    def end(self) -> date:
        """The period's last day."""
        month = 3 * self.quarters[-1]
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def words(self, lang: str | None = None) -> str:
        """"năm 2026", "6 tháng đầu năm 2026", "quý III/2026" (English: "2026", "first half of 2026", "Q3 2026")."""
        if self.kind == "year":
            return text("periods.year", lang=lang, year=self.year)
        if self.kind == "half":
            return text(f"periods.half_{self.number}", lang=lang, year=self.year)
        return text("periods.quarter", lang=lang, year=self.year, quarter=self.number, roman=ROMAN[self.number - 1])

    def in_period(self, year_column, quarter_column):
        """A SQL condition: a row's year and quarter fall in the period."""
        if self.kind == "year":
            return year_column == self.year
        return (year_column == self.year) & quarter_column.in_(self.quarters)


@dataclass(frozen=True)
class DateRange:
    """An ad-hoc reporting period: from ``first`` to ``last`` (both included), within one calendar year. Its figures
    are computed again from the data of its days (``range_cells``), not read from the published cells."""

    first: date
    last: date
    kind = "range"

    def __post_init__(self):
        if self.last < self.first or self.first.year != self.last.year:
            raise ValueError(text("periods.bad_range", first=self.first.isoformat(), last=self.last.isoformat()))

    @classmethod
    def parse(cls, key: str) -> DateRange:
        """The range of its ``key``, ``2026-03-01_2026-05-31``."""
        first, _, last = key.partition("_")
        return cls(date.fromisoformat(first), date.fromisoformat(last))

    @property
    def year(self) -> int:
        return self.first.year

    @property
    def key(self) -> str:
        return f"{self.first.isoformat()}_{self.last.isoformat()}"

    @property
    def start(self) -> date:
        return self.first

    @property
    def end(self) -> date:
        return self.last

    @property
    def quarters(self) -> tuple[int, ...]:
        """The quarters of the year the range touches."""
        return tuple(range((self.first.month - 1) // 3 + 1, (self.last.month - 1) // 3 + 2))

    def words(self, lang: str | None = None) -> str:
        """"từ 01/03/2026 đến 31/05/2026" (English: "from 01/03/2026 to 31/05/2026")."""
        return text("periods.range", lang=lang, first=f"{self.first:%d/%m/%Y}", last=f"{self.last:%d/%m/%Y}")

    def in_period(self, year_column, quarter_column):
        """A SQL condition: a row's year and quarter are of a quarter the range touches (exact on data already
        restricted to the range's days, as the range's warehouse copy is)."""
        return (year_column == self.year) & quarter_column.in_(self.quarters)
