"""Counts of children follow the indicator cells' small-cell rule; a zero total names no one and is shown."""

from warehouse.report.counts import Count, protected_part, protected_total


def test_totals():
    assert [protected_total(n, 5) for n in (0, 1, 4, 5, 12)] == [Count(0), Count(None), Count(None), Count(5),
                                                                  Count(12)]


def test_parts_are_suppressed_when_they_or_their_total_are_small():
    assert protected_part(6, 10, 5) == Count(6)
    assert protected_part(4, 10, 5).suppressed
    assert protected_part(0, 10, 5).suppressed  # "none of ten" tells something about each of the ten
    assert protected_part(5, 5, 5) == Count(5)
    assert protected_part(3, 4, 5).suppressed
    assert protected_part(0, 0, 5) == Count(0)
