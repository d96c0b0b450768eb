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


class PseudonymKeyError(RuntimeError):
    pass


class Pseudonymizer:
    """Turns identities into 32-hex-character ids with a secret key."""

    def __init__(self, key: str):
        if not key or len(key) < MIN_KEY_LENGTH:
            raise PseudonymKeyError(
                f"the pseudonym key must be at least {MIN_KEY_LENGTH} characters; set {KEY_VARIABLE}"
            )
        self._key = key.encode()

    def __repr__(self) -> str:
        return "Pseudonymizer(key=<hidden>)"

    @classmethod
    def from_env(cls) -> Pseudonymizer:
        key = os.environ.get(KEY_VARIABLE)
        if not key:
            raise PseudonymKeyError(f"{KEY_VARIABLE} is not set: the pseudonymous ids need a secret key")
        return cls(key)

    def id(self, kind: str, *parts: object) -> str:
        message = "\x1f".join([kind, *(str(p) for p in parts)]).encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]
