"""Stable pseudonymous ids: a keyed hash (HMAC-SHA-256) of a record's identity.

The key comes from the environment (``CLMS_PSEUDONYM_KEY``), never from code: without it nobody can
recompute an id from an instance id, and a new key gives unlinkable ids. The warehouse keeps a fingerprint of
the key it was built with (:func:`check_key`), so that ids made with two keys are never mixed.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from warehouse.schema.models import PipelineCheckpoint

KEY_VARIABLE = "CLMS_PSEUDONYM_KEY"
MIN_KEY_LENGTH = 16
MAX_RECURRING = 4096  # ids remembered by ``recurring_id``
FINGERPRINT_STEP = "pseudonym_key.fingerprint"  # the pipeline_checkpoint row that holds it (in ``version``)


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

    def id(self, kind: str, *parts: object) -> str:
        mac = self._keyed.copy()
        mac.update("\x1f".join([kind, *map(str, parts)]).encode())
        return mac.hexdigest()[:32]

    def recurring_id(self, kind: str, *parts: object) -> str:
        """:meth:`id` of typed text (a staff member's name), :func:`normalised`, remembered: for identities that
        come back in many records."""
        key = (kind, *parts)
        found = self._recurring.get(key)
        if found is None:
            if len(self._recurring) >= MAX_RECURRING:
                self._recurring.clear()
            found = self._recurring[key] = self.id(kind, *(normalised(p) if isinstance(p, str) else p for p in parts))
        return found

    def fingerprint(self) -> str:
        """A keyed hash of a constant: tells keys apart, and gives nothing of the key."""
        return hmac.new(self._key, b"CLMS pseudonym key fingerprint", hashlib.sha256).hexdigest()


def normalised(text: str) -> str:
    """``text`` written one way: NFC, invisible format characters (zero-width spaces and joiners, soft hyphens,
    direction marks) dropped, runs of white space as one space, none at either end; a name typed in NFD, with a
    zero-width space or a double space gives the same id."""
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFC", text) if unicodedata.category(c) != "Cf")
    return " ".join(text.split())


class KeyMismatch(PseudonymKeyError):
    pass


def check_key(engine: Engine, pseudonymizer: Pseudonymizer) -> None:
    """Refuse a key other than the one the warehouse's ids were made with; a warehouse without a fingerprint
    (new, or made before fingerprints) records this key's."""
    fingerprint = pseudonymizer.fingerprint()
    pc = PipelineCheckpoint
    query = select(pc.version).where(pc.step == FINGERPRINT_STEP)
    with engine.begin() as conn:
        recorded = conn.execute(query).scalar()
    if recorded is None:
        try:
            with engine.begin() as conn:
                conn.execute(insert(pc).values(step=FINGERPRINT_STEP, position=0, version=fingerprint))
            return
        except IntegrityError:  # another process recorded one first
            with engine.begin() as conn:
                recorded = conn.execute(query).scalar()
    if recorded != fingerprint:
        raise KeyMismatch(
            f"{KEY_VARIABLE} is not the key this warehouse's pseudonymous ids were made with, and ids made with "
            "two keys cannot be linked: put the former key back, or move the warehouse to the new key with "
            "`python -m warehouse.ops.rekey` (former key in CLMS_PSEUDONYM_KEY_OLD).")
