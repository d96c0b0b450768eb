"""What a loopback benchmark server counts (``GET /bench/stats``, ``POST /bench/reset``), safe across the
threads of its ``ThreadingHTTPServer``."""

from __future__ import annotations

import threading
from typing import Any


class RequestCounters:
    """Every request, and for each page served the totals named at construction.

    ``RequestCounters(rows=0, busy_seconds=0.0)``: the keyword arguments name the totals and give their starting
    values (an ``int`` or a ``float``); :meth:`page` adds to every one of them at once.
    """

    def __init__(self, **zero: int | float) -> None:
        self._zero = zero
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests = self.pages = 0
            self._totals = dict(self._zero)

    def request(self) -> None:
        with self._lock:
            self.requests += 1

    def page(self, **amounts: int | float) -> None:
        """One page served: add ``amounts`` (one for each total, no other) to the totals."""
        if amounts.keys() != self._zero.keys():
            raise TypeError(f"a page adds to {sorted(self._zero)}, not {sorted(amounts)}")
        with self._lock:
            self.pages += 1
            for name, amount in amounts.items():
                self._totals[name] += amount

    def as_dict(self) -> dict[str, Any]:
        """``requests``, ``pages``, then the totals in their order (floats rounded to 3 decimals)."""
        with self._lock:
            return {"requests": self.requests, "pages": self.pages,
                    **{name: round(value, 3) if isinstance(value, float) else value
                       for name, value in self._totals.items()}}
