"""Approval of an area's figures for a period, and its reopening when the data under it changes.

A data manager approves an area (level, code, code list) and a period (``2026``, ``2026-H1`` or ``2026-Q3``): the warehouse
records who (a pseudonymous id in ``approval``; the name typed, and the note, only in ``restricted_approval``:
names are kept out of analyst tables, officials' as everyone's) and when, with a fingerprint of the data as it
stands, and the area-period's cells in ``indicator_value`` say ``approved``. The fingerprint holds, per clean table
the figures come from, the number of rows in the area and period and the largest ``change_seq`` among them (each
change of a submission gives it a new, larger one: a new, edited, re-reviewed or deleted submission changes one of
the two), and a hash of the area-period's cells before disclosure control, which depends on other areas' data (a
new rules version, population or setting changes those). After each indicator refresh, :func:`review` compares every approval in force with the data: a difference
reopens it (``status`` reopened, when and what changed), and its cells say ``provisional`` again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Connection, and_, func, insert, or_, select, tuple_, update

from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.indicators.periods import Period
from warehouse.infra.messages import text
from warehouse.schema.models import (
    Activity,
    Approval,
    AreaCommune,
    Case,
    CaseVisit,
    Household,
    IndicatorValue,
    Inspection,
    LegacyCommune,
    RestrictedApproval,
    RestrictedIndicatorValue,
)

PROVISIONAL, APPROVED, REOPENED, SUPERSEDED = "provisional", "approved", "reopened", "superseded"
LEGACY = "vn-legacy"
CELLS = "cells"
FIGURES = ("indicator_id", "source", "rule_set", "dimension", "dimension_value", "rules_version", "numerator",
           "denominator", "value", "ci_low", "ci_high", "suppressed", "exact_territory")


@dataclass(frozen=True)
class AreaPeriod:
    """An area (as ``indicator_value`` names it) and a period: a year, a half-year or a quarter."""

    level: str
    code: str
    code_list_version: str
    period: str

    def __post_init__(self):
        Period.parse(self.period)

    @property
    def year(self) -> int:
        return Period.parse(self.period).year

    def cells(self, table=IndicatorValue):
        return and_(table.area_level == self.level, table.area_code == self.code,
                    table.code_list_version == self.code_list_version, table.period == self.period)


@dataclass(frozen=True)
class Reopened:
    """An approval the data moved away from: the area-period, its name, when it was approved, what changed."""

    area: AreaPeriod
    area_name: str
    approved_at: str
    changed: tuple[str, ...]  # "household 12 → 13", "cells"

    def message(self, lang: str | None = None) -> str:
        """What a data manager reads, in ``lang`` (default: ``CLMS_LANGUAGE``)."""
        return text("approval.reopened", lang=lang, area=self.area_name, period=period_words(self.area.period, lang),
                    day=self.approved_at[:10], changed=", ".join(self.changed))


def period_words(period: str, lang: str | None = None) -> str:
    """``2026-Q3`` as "quý III/2026" (Q3 2026), ``2026-H1`` as "6 tháng đầu năm 2026", ``2026`` as "năm 2026"."""
    return Period.parse(period).words(lang)


def now_utc() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def area_name(conn: Connection, area: AreaPeriod) -> str:
    """The area's name; ``ValueError`` (Vietnamese, then English) when the warehouse has no such area."""
    ac = AreaCommune
    name = conn.execute(select(ac.area_name).where(
        ac.area_level == area.level, ac.area_code == area.code, ac.code_list_version == area.code_list_version)
        .limit(1)).scalar()
    if name is None:
        raise ValueError(text("approval.no_area", level=area.level, code=area.code, version=area.code_list_version))
    return name


def approve(conn: Connection, area: AreaPeriod, approver: str, note: str | None, pseudonyms: Pseudonymizer,
            at: str | None = None) -> int:
    """Record the approval of ``area`` by ``approver`` (a name) now, or ``at``; earlier approvals of the same
    area-period are superseded. Returns the new approval's id."""
    if not approver.strip():
        raise ValueError(text("approval.no_approver"))
    area_name(conn, area)
    a = Approval
    conn.execute(update(a).where(area.cells(a), a.status.in_((APPROVED, REOPENED))).values(status=SUPERSEDED))
    approval_id = conn.execute(insert(a).values(
        area_level=area.level, area_code=area.code, code_list_version=area.code_list_version, period=area.period,
        approved_at=at or now_utc(), approver_id=pseudonyms.recurring_id("approver", approver),
        fingerprint=fingerprint(conn, area), status=APPROVED).returning(a.approval_id)).scalar_one()
    conn.execute(insert(RestrictedApproval).values(approval_id=approval_id, approver_name=approver.strip(),
                                                   note=note.strip() if note and note.strip() else None))
    conn.execute(update(IndicatorValue).where(area.cells()).values(approval=APPROVED))
    return approval_id


def review(conn: Connection, at: str | None = None) -> list[Reopened]:
    """Reopen every approval in force whose data changed; make every cell say provisional or approved."""
    a, reopened = Approval, []
    for row in conn.execute(select(a).where(a.status == APPROVED).order_by(a.approval_id)).all():
        area = AreaPeriod(row.area_level, row.area_code, row.code_list_version, row.period)
        changed = differences(row.fingerprint, fingerprint(conn, area))
        if changed:
            conn.execute(update(a).where(a.approval_id == row.approval_id).values(
                status=REOPENED, reopened_at=at or now_utc(), reopened_because="; ".join(changed)))
            reopened.append(Reopened(area, area_name(conn, area), row.approved_at, tuple(changed)))
    in_force = select(a.area_level, a.area_code, a.code_list_version, a.period).where(a.status == APPROVED)
    iv = IndicatorValue
    key = (iv.area_level, iv.area_code, iv.code_list_version, iv.period)
    conn.execute(update(iv).where(tuple_(*key).in_(in_force), iv.approval != APPROVED).values(approval=APPROVED))
    conn.execute(update(iv).where(tuple_(*key).not_in(in_force), iv.approval != PROVISIONAL)
                 .values(approval=PROVISIONAL))
    return reopened


@dataclass(frozen=True)
class ApprovalState:
    """What a report says of its figures: provisional (never approved), approved, or reopened."""

    state: str
    approved_at: str | None = None
    approver_id: str | None = None
    reopened_because: str | None = None


def state_of(conn: Connection, area: AreaPeriod) -> ApprovalState:
    """What the latest approval of ``area`` says of the data ``conn`` reads now: reopened as recorded, approved
    only while the fingerprint is the one recorded, else provisional (a report on a cut-off copy of the warehouse
    whose data is not the data approved; data changed that the indicator step has not reviewed yet)."""
    a = Approval
    row = conn.execute(select(a).where(area.cells(a), a.status != SUPERSEDED)
                       .order_by(a.approval_id.desc()).limit(1)).first()
    if row is None:
        return ApprovalState(PROVISIONAL)
    if row.status == REOPENED:
        return ApprovalState(REOPENED, row.approved_at, row.approver_id, row.reopened_because)
    if differences(row.fingerprint, fingerprint(conn, area)):
        return ApprovalState(PROVISIONAL)
    return ApprovalState(APPROVED, row.approved_at, row.approver_id)


def fingerprint(conn: Connection, area: AreaPeriod) -> dict:
    """Per source table, [rows, largest change_seq] in the area and period; and a hash of its cells."""
    communes, legacy = area_communes(conn, area)
    found = {}
    for name, table, place, when, join in _sources(area):
        query = select(func.count(), func.max(table.change_seq)).select_from(table)
        if join is not None:
            query = query.join(*join)
        if area.level != "national":
            query = query.where(or_(and_(place.code_list_version != LEGACY, place.commune_code.in_(communes)),
                                    and_(place.code_list_version == LEGACY, place.commune_code.in_(legacy))))
        n, seq = conn.execute(query.where(when)).one()
        found[name] = [int(n), int(seq or 0)]
    iv = RestrictedIndicatorValue  # the figures before disclosure control, which depends on other areas' data
    digest = hashlib.sha256()
    for row in conn.execute(select(*(getattr(iv, c) for c in FIGURES)).where(area.cells(iv))
                            .order_by(*(getattr(iv, c) for c in FIGURES[:5]))):
        digest.update(json.dumps([_plain(v) for v in row]).encode())
    found[CELLS] = digest.hexdigest()
    return found


def differences(recorded: dict, current: dict) -> list[str]:
    """What changed between two fingerprints: ``household 12 → 13`` (rows), ``household`` (same count, a newer
    change), ``cells``."""
    changed = []
    for name in sorted(set(recorded) | set(current)):
        before, after = recorded.get(name), current.get(name)
        if before == after:
            continue
        if name != CELLS and before and after and before[0] != after[0]:
            changed.append(f"{name} {before[0]} → {after[0]}")
        else:
            changed.append(name)
    return changed


def _plain(value):
    if isinstance(value, float):
        return f"{value:.12g}"
    return value


def area_communes(conn: Connection, area: AreaPeriod) -> tuple[list[str], list[str]]:
    """The area's current communes, and the old communes whose territory went to them."""
    ac, lc = AreaCommune, LegacyCommune
    communes = conn.execute(select(ac.commune_code).where(
        ac.area_level == area.level, ac.area_code == area.code, ac.code_list_version == area.code_list_version)
    ).scalars().all()
    legacy = conn.execute(select(lc.legacy_code).distinct().where(lc.commune_code.in_(communes))).scalars().all()
    return communes, legacy


def _sources(area: AreaPeriod):
    """(name, table with change_seq, table with the commune, the period's condition, join) of each source."""
    when = Period.parse(area.period).in_period

    c, v = Case, CaseVisit
    return [
        *((t.__tablename__, t, t, when(t.year, t.quarter), None) for t in (Household, Inspection, Activity)),
        (v.__tablename__, v, c, or_(when(v.year, v.quarter), when(c.year, c.quarter)),
         (c, c.case_id == v.case_id)),
    ]
