"""What a page of ODK Central's OData feed costs, fitted to the measurements in the domain notes.

``shared/domain/survey-platform-apis.md`` measured a real Central (v2026.2, loopback, 2 cores) reading one
form of 20,000 submissions in pages of various sizes. The times fit

    page time = a + b · rows on the page + c · rows the filter matches

(``c`` is paid on every page: Central evaluates the whole filtered set to cut each page out of it), so a full
read in pages of ``s`` rows costs ``(N/s)·(a + c·N) + b·N``: quadratic in ``N`` for a fixed ``s``. A read
whose every query matches about one page of rows (the sync's time windows) costs ``(N/s)·(a + c·s) + b·N``:
linear. ``fit()`` recomputes the constants from the table by least squares; ``PAGE_COST`` holds the result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# (rows per page or None for one document, seconds) for 20,000 submissions, from the domain notes
MEASURED_FULL_READS = [(None, 2.3), (5000, 2.9), (1000, 4.9), (250, 11.9), (100, 24.4)]
MEASURED_ROWS = 20_000
MEASURED_INCREMENTAL = (100, 0.05)  # a filter matching 100 new rows, one page


@dataclass(frozen=True)
class PageCost:
    a: float  # seconds per request
    b: float  # seconds per row sent
    c: float  # seconds per row the filter matches, on every page

    def page(self, rows: int, matched: int, *, count: bool = False) -> float:
        """Seconds for one page; ``$count=true`` evaluates the matched set once more."""
        return self.a + self.b * rows + self.c * matched * (2 if count else 1)

    def full_read(self, total: int, page_size: int | None) -> float:
        """Seconds to read ``total`` rows following next links (``None``: one document)."""
        pages = 1 if page_size is None else max(1, -(-total // page_size))
        return pages * (self.a + self.c * total) + self.b * total

    def windowed_read(self, total: int, page_size: int) -> float:
        """Seconds to read ``total`` rows in queries that each match about one page."""
        pages = max(1, -(-total // page_size))
        return pages * self.a + (self.b + self.c) * total


def fit() -> PageCost:
    """Least squares over the measured full reads and the incremental read (all rows equally weighted)."""
    rows, times = [], []
    for page_size, seconds in MEASURED_FULL_READS:
        pages = 1 if page_size is None else MEASURED_ROWS / page_size
        rows.append([pages, MEASURED_ROWS, pages * MEASURED_ROWS])
        times.append(seconds)
    matched, seconds = MEASURED_INCREMENTAL
    rows.append([1, matched, matched])
    times.append(seconds)
    weights = 1 / np.asarray(times)  # relative error: the small incremental read counts as much as the others
    solution, *_ = np.linalg.lstsq(np.asarray(rows) * weights[:, None], np.asarray(times) * weights, rcond=None)
    a, b, c = (max(float(v), 0.0) for v in solution)
    return PageCost(a, b, c)


PAGE_COST = fit()


def report(cost: PageCost = PAGE_COST) -> str:
    """The fit against the measurements, and what it predicts at national scale, as Markdown."""
    lines = [f"page time = {cost.a * 1000:.1f} ms + {cost.b * 1e6:.1f} µs × rows sent"
             f" + {cost.c * 1e6:.2f} µs × rows matched", "",
             "| read of 20,000 rows | measured | model |", "|---|---|---|"]
    for page_size, seconds in MEASURED_FULL_READS:
        label = "one document" if page_size is None else f"$top={page_size}"
        lines.append(f"| {label} | {seconds:.1f} s | {cost.full_read(MEASURED_ROWS, page_size):.1f} s |")
    matched, seconds = MEASURED_INCREMENTAL
    lines.append(f"| incremental, {matched} rows | {seconds:.2f} s | {cost.page(matched, matched):.2f} s |")
    lines += ["", "| submissions | one document | next links, $top=1000 | 5000 | 20000 | windows of 1000 | 5000 |"
              " 20000 |", "|---|---|---|---|---|---|---|---|"]
    for total in (20_000, 100_000, 560_000, 2_000_000):
        linked = " | ".join(f"{cost.full_read(total, s):.0f} s" for s in (1000, 5000, 20000))
        windowed = " | ".join(f"{cost.windowed_read(total, s):.0f} s" for s in (1000, 5000, 20000))
        lines.append(f"| {total:,} | {cost.full_read(total, None):.0f} s | {linked} | {windowed} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report())
