"""The links between a household's clean rows, which the database does not enforce, and the check that they hold.

A household's children, its PII row, and its children's PII and classifications are written, replaced and
deleted by one step (:mod:`warehouse.clean.steps`) in one transaction, parents first on the way in and last on the way
out (:func:`delete_households`). They are not foreign keys: checking each row's parent as it was written was most
of the database's work in a national load (PostgreSQL, 1M children: cleaning took 116 s with them, 78 s
without). :func:`orphans` counts the rows whose parent is missing; the data-quality checks report it.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, exists, func, select

from warehouse.schema.models import Child, ChildClassification, Household, RestrictedChildPii, RestrictedHouseholdPii

LINKS = {  # row → its parent, as (table, column, parent table, parent column)
    "child → household": (Child, "household_id", Household, "household_id"),
    "restricted_household_pii → household": (RestrictedHouseholdPii, "household_id", Household, "household_id"),
    "restricted_child_pii → child": (RestrictedChildPii, "child_id", Child, "child_id"),
    "child_classification → child": (ChildClassification, "child_id", Child, "child_id"),
}


def orphans(conn: Connection) -> dict[str, int]:
    """For each link, the rows whose parent is missing (all 0 in a sound warehouse)."""
    counts = {}
    for name, (table, column, parent, key) in LINKS.items():
        missing = ~exists().where(getattr(parent, key) == getattr(table, column))
        counts[name] = conn.execute(select(func.count()).select_from(table).where(missing)).scalar_one()
    return counts


def delete_households(conn: Connection, where) -> None:
    """Delete the households ``where`` selects (a condition on ``Household``) with every row that belongs to them."""
    households = select(Household.household_id).where(where)
    children = select(Child.child_id).where(Child.household_id.in_(households))
    for table in (ChildClassification, RestrictedChildPii):
        conn.execute(delete(table).where(table.child_id.in_(children)))
    conn.execute(delete(Child).where(Child.household_id.in_(households)))
    conn.execute(delete(RestrictedHouseholdPii).where(RestrictedHouseholdPii.household_id.in_(households)))
    conn.execute(delete(Household).where(where))
