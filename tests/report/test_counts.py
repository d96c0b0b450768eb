"""Counts in the reports' summaries: a few adults' records are hidden; counts of children that no indicator cell
holds are shown only outside small areas, and a part only with its total."""

from warehouse.report import ReportArea
from warehouse.report.counts import SUPPRESSED, Count, protected_total, unheld, unheld_parts

PROVINCE, COMMUNE = ReportArea("province", "20", "vn-2025-07"), ReportArea("commune", "05977", "vn-2025-07")


def test_totals_of_a_few_records_are_hidden():
    assert [protected_total(n, 5) for n in (0, 1, 4, 5, 12)] == [Count(0), SUPPRESSED, SUPPRESSED, Count(5),
                                                                  Count(12)]


def test_counts_no_cell_holds_are_shown_for_provinces_only():
    assert (unheld(PROVINCE, 1), unheld(PROVINCE, 0)) == (Count(1), Count(0))  # a province's count names no child
    assert unheld(COMMUNE, 12) == unheld(COMMUNE, 0) == SUPPRESSED  # even a zero: the province minus the others


def test_parts_in_order_with_their_total():
    counts = {"open": 2, "closed": 7, None: 1, "merged": 1}
    assert unheld_parts(PROVINCE, counts, ("open", "supported", "closed"), Count(11)) == (
        ("open", Count(2)), ("supported", Count(0)), ("closed", Count(7)), ("merged", Count(1)),
        ("unknown", Count(1)))
    hidden = unheld_parts(PROVINCE, counts, ("open", "closed"), SUPPRESSED)  # parts would add up to the total
    assert [count for _, count in hidden] == [SUPPRESSED] * 4
    assert all(count == SUPPRESSED for _, count in unheld_parts(COMMUNE, counts, ("open",), Count(11)))
