"""Which submissions count, by the review state their platform gave them: the policy of
``warehouse/reference/review_states.toml`` (counted, counted and flagged, or excluded).

Every route stores the state in ``raw_submission.review_state`` in ODK Central's words (``None`` when never
reviewed); a KoboToolbox validation status is stored as the Central state it matches
(:data:`connectors.kobotoolbox.documents.REVIEW_STATES`), and is read back here as the Kobo status it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from connectors.kobotoolbox.documents import REVIEW_STATES
from warehouse.clean.values import Problem
from warehouse.infra.versioned import REFERENCE_DIR, checked, read_versioned
from warehouse.schema.models import RawSubmission

POLICY_FILE = REFERENCE_DIR / "review_states.toml"
COUNTED, FLAGGED, EXCLUDED = "counted", "flagged", "excluded"
ODK, KOBO = "odk_central", "kobotoolbox"
PLATFORM_STATES = {ODK: ("received", "edited", "hasIssues", "approved", "rejected"),
                   KOBO: ("not_set", *REVIEW_STATES)}
PLATFORM_NAMES = {ODK: "ODK Central", KOBO: "KoboToolbox"}
KOBO_SOURCES = frozenset({"kobotoolbox", "file:kobo_xlsx", "file:kobo_json"})  # the others are Central's shape
_KOBO_STATUS = {stored: status for status, stored in REVIEW_STATES.items()}


@dataclass(frozen=True)
class ReviewPolicy:
    """The review-state policy: per platform, each state's action; ``other``: a state no platform has."""

    version: str
    actions: Mapping[str, Mapping[str, str]]
    other: str

    def state(self, source: str, review_state: str | None) -> tuple[str, str]:
        """(platform, the platform's own name of the state) of a stored ``review_state`` from ``source``."""
        if source in KOBO_SOURCES:
            return KOBO, _KOBO_STATUS.get(review_state, "not_set" if review_state in (None, "edited")
                                          else review_state)
        return ODK, review_state or "received"

    def action(self, source: str, review_state: str | None) -> str:
        platform, state = self.state(source, review_state)
        return self.actions[platform].get(state, self.other)

    def excluded(self, raw: Any) -> Problem | None:
        """The quarantine problem of a raw submission the policy excludes, else ``None``."""
        if self.action(raw.source, raw.review_state) != EXCLUDED:
            return None
        platform, state = self.state(raw.source, raw.review_state)
        return Problem("review_state", state, "REVIEW_EXCLUDED",
                       f"{shown(platform, state)} on {PLATFORM_NAMES[platform]}: not counted (review policy"
                       f" {POLICY_FILE.name}, version {self.version}); it counts again once its review state changes")


@lru_cache(maxsize=4)
def load_review_policy(path: Path = POLICY_FILE) -> ReviewPolicy:
    """The policy of ``path``; ``ValueError`` naming what is wrong in the file."""
    data = read_versioned(path)
    with checked(path):
        policy = ReviewPolicy(str(data["version"]), {p: dict(data[p]) for p in PLATFORM_STATES}, data["other"])
        for platform, states in PLATFORM_STATES.items():
            listed = policy.actions[platform]
            if set(listed) != set(states):
                raise ValueError(f"[{platform}] must list exactly the states {', '.join(states)}")
            for state, action in [*listed.items(), ("other", policy.other)]:
                if action not in (COUNTED, FLAGGED, EXCLUDED):
                    raise ValueError(f"{state} must be {COUNTED}, {FLAGGED} or {EXCLUDED}")
    return policy


def shown(platform: str, state: str) -> str:
    """A state as messages and metadata show it: a state the platform does not have (from a hand-made file) as
    ``other``, never its text."""
    return state if state in PLATFORM_STATES[platform] else "other"


def review_summary(conn: Connection, form_id: str, policy: ReviewPolicy) -> list[dict]:
    """The live submissions of ``form_id`` by platform, review state and what the policy does with them."""
    r = RawSubmission
    counts: dict[tuple[str, str, str], int] = {}
    for source, review_state, n in conn.execute(
            select(r.source, r.review_state, func.count()).where(r.form_id == form_id, r.deleted_at.is_(None))
            .group_by(r.source, r.review_state)):
        platform, state = policy.state(source, review_state)
        key = (platform, shown(platform, state), policy.action(source, review_state))
        counts[key] = counts.get(key, 0) + n
    return [{"platform": p, "state": s, "policy": a, "submissions": n} for (p, s, a), n in sorted(counts.items())]
