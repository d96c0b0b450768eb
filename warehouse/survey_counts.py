"""The household-survey counts behind the indicators, as they stand and as they change.

The finest grain: children by (rule set, commune, year, quarter, urban/rural, poverty status, sex, age band,
ethnic group, sector of work, craft village) and consenting households by (commune, year, quarter, urban/rural,
poverty status), each with
``members`` (how many) and the counts the indicators need (child labour, hazardous, informed). The commune is
its :func:`commune_key`, which tells a commune of the pre-July-2025 list from the current one. A child's sector
of work is the form's ``sector`` code, :data:`NOT_WORKING` for a child who does not work (so that 1.1 by sector
reads "of the children working in a sector, the share in child labour", and those not working show too); the
household's craft village is "yes" or "no" (:func:`work_sector`, :func:`craft_village`; unanswered: unknown).

:func:`added_rows` makes the ``survey_count_delta`` rows of the children or households a step is about to
write (from the rows themselves); :func:`subtract_children` and :func:`subtract_households` record, inside the
caller's transaction, the removal of stored rows (their counts, computed by the database); :func:`current` reads
the counts from the clean tables; :func:`take_pending` removes and returns the changes recorded so far.

Changes are recorded once the indicator step has published (:func:`recorded`). Before that, its first run
computes every count from the clean tables and deletes the changes unread: a first national load (millions of
children) records none, which saves writing a change row for most of the rows it loads. A step that started
before the first publication and finds it in its transaction stops (:func:`check_recorded`); the indicator step
takes :func:`lock_for_snapshot` first, so that its snapshot holds every transaction that recorded nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
from sqlalchemy import Connection, and_, case, delete, func, insert, literal, not_, select, true

from warehouse.admin_units import LEGACY
from warehouse.bulk import TableRows, read_frame
from warehouse.cells import with_unknown
from warehouse.models import Child, ChildClassification, Household, PipelineCheckpoint, SurveyCountDelta

CHILD, HOUSEHOLD = "child", "household"
CHILD_KEYS = ["rule_set", "commune_code", "year", "quarter", "urban_rural", "poverty_status", "sex", "age_band",
              "ethnic_group", "work_sector", "craft_village"]
HOUSEHOLD_KEYS = ["commune_code", "year", "quarter", "urban_rural", "poverty_status"]
CHILD_ONLY = [k for k in CHILD_KEYS[1:] if k not in HOUSEHOLD_KEYS]  # empty in a household's change row
COUNTS = ["members", "child_labour", "hazardous", "informed"]
PUBLISHING_STEP = "indicator_values"  # the indicator step's checkpoint: present once it has published
LEGACY_KEY = "L"  # the prefix of a legacy commune's key


def commune_key(table):
    """The key a row's commune is counted under (a SQL expression over ``table``'s ``commune_code`` and
    ``code_list_version``): the code, prefixed :data:`LEGACY_KEY` when it is of the legacy list, whose numbers
    can name other communes in the current one (``warehouse.indicators.with_legacy_members`` places such a key
    in the areas of its territory)."""
    return case((table.code_list_version == LEGACY, literal(LEGACY_KEY).concat(table.commune_code)),
                else_=table.commune_code).label("commune_key")


def commune_key_of(row: Mapping) -> str:
    """:func:`commune_key` of a row held as a mapping."""
    legacy = row["code_list_version"] == LEGACY
    return LEGACY_KEY + row["commune_code"] if legacy else row["commune_code"]


def recorded(conn: Connection) -> bool:
    """Whether the steps that change the counts record their changes: once the indicator step has published."""
    return conn.execute(select(PipelineCheckpoint.step).where(PipelineCheckpoint.step == PUBLISHING_STEP)
                        ).first() is not None


def check_recorded(conn: Connection, recording: bool) -> None:
    """Stop a transaction that writes clean rows without recording their counts (``recording`` false) when the
    indicator step has published meanwhile. Call it after the transaction's first write: on SQLite it then holds
    the write lock, on PostgreSQL a lock on ``pipeline_checkpoint`` (:func:`lock_for_snapshot`); what it reads
    cannot change until it commits."""
    if not recording and recorded(conn):
        raise RuntimeError("the indicators were published while this step ran, from rows it had not counted: run"
                           " the step again")


def lock_for_snapshot(conn: Connection) -> None:
    """On PostgreSQL, as a transaction's first statement (before its snapshot): wait for the transactions that
    move a step's checkpoint, and make those starting later wait for this one. The indicator step's snapshot then
    holds every clean row written without its counts, and a step starting after it sees that it published. (On
    SQLite the indicator step's first write takes the only write lock.)"""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"LOCK TABLE {PipelineCheckpoint.__tablename__} IN SHARE MODE")


NOT_WORKING = "not_working"  # the sector of work of a child who does not work


def work_sector(working: bool, sector: str | None) -> str | None:
    """A child's ``work_sector`` key: its sector (None: not answered), or :data:`NOT_WORKING`."""
    return sector if working else NOT_WORKING


def craft_village(in_one: bool | None) -> str | None:
    """A household's ``craft_village`` key: "yes", "no", or None (not answered)."""
    return None if in_one is None else "yes" if in_one else "no"


def _work_sector(child):
    """:func:`work_sector` in SQL."""
    return case((child.working, child.sector), else_=literal(NOT_WORKING)).label("work_sector")


def _craft_village(household):
    """:func:`craft_village` in SQL."""
    village = household.craft_village
    return case((village, literal("yes")), (not_(village), literal("no"))).label("craft_village")


def yes(condition):
    """1 where ``condition`` holds, else 0: summed, a count."""
    return case((condition, 1), else_=0)


def _child_columns():
    cc, c, h = ChildClassification, Child, Household
    keys = [cc.rule_set, commune_key(h), h.year, h.quarter, h.urban_rural, h.poverty_status, c.sex, cc.age_band,
            c.ethnic_group, _work_sector(c), _craft_village(h)]
    counts = [func.count(), func.sum(yes(cc.child_labour)), func.sum(yes(cc.hazardous)),
              func.sum(yes(c.child_informed == "yes"))]
    return keys, counts


def _household_columns():
    h = Household
    keys = [commune_key(h), h.year, h.quarter, h.urban_rural, h.poverty_status]
    return keys, [func.count(), literal(0), literal(0), func.sum(yes(h.caregiver_informed == "yes"))]


_GROUPED_FIRST = ("commune_key", "year", "quarter")  # many values: SQLite's sorter decides on the first columns it
#                                                     compares (bench/RESULTS.md, "Tuning")


def _children_query(keys, counts, where=None):
    cc, c, h = ChildClassification, Child, Household
    query = (select(*keys, *counts).select_from(cc).join(c, c.child_id == cc.child_id)
             .join(h, h.household_id == c.household_id))
    grouping = sorted(keys, key=lambda key: getattr(key, "key", None) not in _GROUPED_FIRST)  # stable: else in order
    return (query if where is None else query.where(where)).group_by(*grouping)


def _households_query(keys, counts, where=None):
    query = select(*keys, *counts).where(Household.consent)
    return (query if where is None else query.where(where)).group_by(*keys)


def subtract_children(conn: Connection, where) -> None:
    """Record the removal of the classified children of the households ``where`` selects (a condition on
    ``Household``): their counts, subtracted, as the warehouse holds them before they go."""
    keys, counts = _child_columns()
    query = _children_query([literal(CHILD), *keys], [-c for c in counts], where)
    conn.execute(insert(SurveyCountDelta).from_select(["kind", *CHILD_KEYS, *COUNTS], query))


def subtract_households(conn: Connection, where) -> None:
    """Record the removal of the consenting households ``where`` selects."""
    keys, counts = _household_columns()
    columns = [literal(HOUSEHOLD), literal(""), *keys, *(literal(None) for _ in CHILD_ONLY)]
    query = _households_query(columns, [-c for c in counts], where)
    names = ["kind", "rule_set", *HOUSEHOLD_KEYS, *CHILD_ONLY, *COUNTS]
    conn.execute(insert(SurveyCountDelta).from_select(names, query))


def added_rows(kind: str, added: Iterable[tuple[tuple, bool, bool, bool]]) -> TableRows:
    """``survey_count_delta`` rows for children (``kind`` :data:`CHILD`, keys in ``CHILD_KEYS`` order) or
    consenting households (:data:`HOUSEHOLD`, keys in ``HOUSEHOLD_KEYS`` order) about to be written, given as
    (key, child labour, hazardous, informed): computed where the rows are made, without the database."""
    summed: dict[tuple, list[int]] = {}
    for key, labour, hazardous, informed in added:
        counts = summed.setdefault(key, [0, 0, 0, 0])
        counts[0] += 1
        counts[1] += labour
        counts[2] += hazardous
        counts[3] += informed
    keys = CHILD_KEYS if kind == CHILD else HOUSEHOLD_KEYS
    fixed = {} if kind == CHILD else {"rule_set": "", **dict.fromkeys(CHILD_ONLY)}
    leading = (kind, *fixed.values())
    values = [(*leading, *key, *counts) for key, counts in summed.items()]
    return TableRows(["kind", *fixed, *keys, *COUNTS], values)


def _frame(conn: Connection, query, keys: list[str]) -> pd.DataFrame:
    frame = read_frame(conn, query, [*keys, *COUNTS])
    frame[COUNTS] = frame[COUNTS].fillna(0).astype("int64")
    return with_unknown(frame)


def current(conn: Connection, communes: list[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The counts of children and of households as the clean and classified tables hold them (of the households
    whose ``commune_code`` is in ``communes`` only, when given, whichever their code list)."""
    return _counted(conn, None if communes is None else Household.commune_code.in_(communes))


def current_between(conn: Connection, after: str | None, upto: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`current` for the communes whose codes are in (``after``, ``upto``] (``None``: no bound): one share
    of a full count made by several processes. The code is compared as an expression, which no index serves:
    each share scans the children as the full count does, instead of reaching them commune by commune through
    the indexes (three lookups a child; at 1M children a fourteenth of the communes took 1.3 s that way)."""
    code = Household.commune_code.concat("")
    return _counted(conn, and_(true(), *([] if after is None else [code > after]),
                               *([] if upto is None else [code <= upto])))


def _counted(conn: Connection, where) -> tuple[pd.DataFrame, pd.DataFrame]:
    keys, counts = _child_columns()
    children = _frame(conn, _children_query(keys, counts, where), CHILD_KEYS)
    keys, counts = _household_columns()
    households = _frame(conn, _households_query(keys, counts, where), HOUSEHOLD_KEYS)
    return children, households


UNIT_KEYS = ["survey_round", "psu_code"]


def by_sampling_unit(conn: Connection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`current`, each count also by the household's survey round and sampling unit (empty: no design)."""
    h = Household
    keys, counts = _child_columns()
    children = _frame(conn, _children_query([*keys, h.survey_round, h.psu_code], counts), CHILD_KEYS + UNIT_KEYS)
    keys, counts = _household_columns()
    households = _frame(conn, _households_query([*keys, h.survey_round, h.psu_code], counts),
                        HOUSEHOLD_KEYS + UNIT_KEYS)
    return children, households


def take_pending(conn: Connection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Delete the recorded changes and return them, summed, as (children, households) counts.

    One ``DELETE … RETURNING``: the changes returned are exactly the ones removed, even while other
    transactions record new ones.
    """
    d = SurveyCountDelta
    columns = [d.kind, *(getattr(d, k) for k in CHILD_KEYS), *(getattr(d, k) for k in COUNTS)]
    rows = read_frame(conn, delete(d).returning(*columns), ["kind", *CHILD_KEYS, *COUNTS])
    return _summed(rows[rows["kind"] == CHILD], CHILD_KEYS), _summed(rows[rows["kind"] == HOUSEHOLD], HOUSEHOLD_KEYS)


def _summed(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    rows = with_unknown(rows[keys + COUNTS])
    summed = rows.groupby(keys, as_index=False, dropna=False)[COUNTS].sum()
    summed[COUNTS] = summed[COUNTS].astype("int64")
    return summed[(summed[COUNTS] != 0).any(axis=1)].reset_index(drop=True)
