"""Stable pseudonymous ids: a keyed hash (HMAC-SHA-256) of a record's identity.

The key comes from the environment (``CLMS_PSEUDONYM_KEY``), never from code: without it nobody can
recompute an id from an instance id, and a new key gives unlinkable ids.
"""

from __future__ import annotations

import hashlib
import hmac
import os

KEY_VARIABLE = "CLMS_PSEUDONYM_KEY"
MIN_KEY_LENGTH = 16
MAX_RECURRING = 4096  # ids remembered by ``recurring_id``


class PseudonymKeyError(RuntimeError):
    pass


class Pseudonymizer:
    """Turns identities into 32-hex-character ids with a secret key."""

    def __init__(self, key: str):
        if not key or len(key) < MIN_KEY_LENGTH:
            raise PseudonymKeyError(
                f"the pseudonym key must be at least {MIN_KEY_LENGTH} characters; set {KEY_VARIABLE}"
            )
        self._prepare(key.encode())

    def _prepare(self, key: bytes) -> None:
        self._key = key
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)  # copied for each id: the key is hashed once
        self._recurring: dict[tuple, str] = {}

    def __getstate__(self) -> dict:  # the HMAC object does not pickle (a worker process gets the context)
        return {"_key": self._key}

    def __setstate__(self, state: dict) -> None:
        self._prepare(state["_key"])

    def __repr__(self) -> str:
        return "Pseudonymizer(key=<hidden>)"

    @classmethod
    def from_env(cls) -> Pseudonymizer:
        key = os.environ.get(KEY_VARIABLE)
        if not key:
            raise PseudonymKeyError(f"{KEY_VARIABLE} is not set: the pseudonymous ids need a secret key")
        return cls(key)

    def id(self, kind: str, *parts: object) -> str:
        mac = self._keyed.copy()
        mac.update("\x1f".join([kind, *map(str, parts)]).encode())
        return mac.hexdigest()[:32]

    def recurring_id(self, kind: str, *parts: object) -> str:
        """:meth:`id`, remembered: for identities that come back in many records (a staff member's name)."""
        key = (kind, *parts)
        found = self._recurring.get(key)
        if found is None:
            if len(self._recurring) >= MAX_RECURRING:
                self._recurring.clear()
            found = self._recurring[key] = self.id(kind, *parts)
        return found
