"""Faults a fake HTTP server injects: error statuses, hangs, resets, broken bodies.

A :class:`FaultPlan` decides per request: first a queue of rules (a fault for requests whose
path matches, after skipping some, a number of times), then an optional random rate drawn from
a seeded RNG (reproducible fault storms for benchmarks). Every injected fault is recorded.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass

STATUS = "status"  # answer with an error status instead of the real answer
HANG = "hang"  # say nothing for `seconds`, then drop the connection
RESET = "reset"  # drop the connection at once with a TCP reset
TRUNCATE = "truncate"  # the real answer, the connection dropped halfway through the body
INVALID_JSON = "invalid_json"  # the real answer, complete HTTP message, body cut in half
EXPIRE = "expire_session"  # every session ends just before this request (which then gets a 401)


@dataclass(frozen=True)
class Fault:
    kind: str
    status: int = 0
    retry_after: str | None = None
    seconds: float = 0.0


def http_error(status: int, *, retry_after: str | int | None = None) -> Fault:
    """E.g. ``http_error(429, retry_after=1)``, ``http_error(503)``; Retry-After seconds or an HTTP date."""
    return Fault(STATUS, status=status, retry_after=None if retry_after is None else str(retry_after))


def hang(seconds: float) -> Fault:
    return Fault(HANG, seconds=seconds)


def reset() -> Fault:
    return Fault(RESET)


def truncated_body() -> Fault:
    return Fault(TRUNCATE)


def invalid_json() -> Fault:
    return Fault(INVALID_JSON)


def expire_session() -> Fault:
    """The 24-hour session runs out mid-sync: this request and every later one with the old token get a 401."""
    return Fault(EXPIRE)


@dataclass
class _Rule:
    fault: Fault
    path: re.Pattern[str] | None
    method: str | None
    skip: int
    times: int | None  # None: forever

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (self.path is None or bool(self.path.search(path)))


@dataclass(frozen=True)
class Injected:
    method: str
    path: str
    fault: Fault


class FaultPlan:
    """Thread-safe: the server's handler threads call :meth:`take` for every request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []
        self._rate = 0.0
        self._rate_faults: tuple[Fault, ...] = ()
        self._rate_path: re.Pattern[str] | None = None
        self._rng = random.Random(0)
        self.injected: list[Injected] = []

    def add(
        self,
        fault: Fault,
        *,
        path: str | None = None,
        method: str | None = None,
        after: int = 0,
        times: int | None = 1,
    ) -> None:
        """Inject ``fault`` into requests whose path matches the regex ``path`` (any if None).

        The first ``after`` matching requests pass untouched; then ``times`` of them fail
        (``None``: every one from then on). Rules are tried in the order they were added.
        """
        with self._lock:
            pattern = re.compile(path) if path is not None else None
            self._rules.append(_Rule(fault, pattern, method.upper() if method else None, after, times))

    def set_rate(self, rate: float, faults: list[Fault], *, seed: int = 0, path: str | None = None) -> None:
        """Fail a share ``rate`` of the requests (matching ``path``) with faults drawn at random."""
        with self._lock:
            self._rate = rate
            self._rate_faults = tuple(faults)
            self._rate_path = re.compile(path) if path is not None else None
            self._rng = random.Random(seed)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._rate = 0.0
            self.injected.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The fault for this request, if any (consumes it)."""
        with self._lock:
            fault = self._from_rules(method, path) or self._from_rate(path)
            if fault is not None:
                self.injected.append(Injected(method, path, fault))
            return fault

    def _from_rules(self, method: str, path: str) -> Fault | None:
        for rule in self._rules:
            if not rule.matches(method, path):
                continue
            if rule.skip > 0:
                rule.skip -= 1
                continue
            if rule.times is not None:
                rule.times -= 1
                if rule.times == 0:
                    self._rules.remove(rule)
            return rule.fault
        return None

    def _from_rate(self, path: str) -> Fault | None:
        if not self._rate or (self._rate_path is not None and not self._rate_path.search(path)):
            return None
        if self._rng.random() >= self._rate:
            return None
        return self._rng.choice(self._rate_faults)
