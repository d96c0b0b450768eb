"""The household-survey counts behind the indicators, summed by the database from the clean and classified tables.

The finest grain: children by (rule set, commune, year, quarter, urban/rural, poverty status, sex, age band,
ethnic group, sector of work, craft village) and consenting households by (commune, year, quarter, urban/rural,
poverty status), each with ``members`` (how many) and the counts the indicators need (child labour, hazardous, informed). The commune is
its :func:`commune_key`, which tells a commune of the pre-July-2025 list from the current one. A child's sector
of work is the form's ``sector`` code, :data:`NOT_WORKING` for a child who does not work (so that 1.1 by sector
reads "of the children working in a sector, the share in child labour", and those not working show too); the
household's craft village is "yes" or "no" (unanswered: unknown).

:func:`current` reads the counts; :func:`by_sampling_unit` reads them by survey round and sampling unit too.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, and_, case, func, literal, not_, select, true

from warehouse.indicators.cells import with_unknown
from warehouse.infra.bulk import read_frame
from warehouse.schema.admin_units import LEGACY
from warehouse.schema.models import Child, ChildClassification, Household

CHILD_KEYS = ["rule_set", "commune_code", "year", "quarter", "urban_rural", "poverty_status", "sex", "age_band",
              "ethnic_group", "work_sector", "craft_village"]
HOUSEHOLD_KEYS = ["commune_code", "year", "quarter", "urban_rural", "poverty_status"]
COUNTS = ["members", "child_labour", "hazardous", "informed"]
LEGACY_KEY = "L"  # the prefix of a legacy commune's key


def commune_key(table):
    """The key a row's commune is counted under (a SQL expression over ``table``'s ``commune_code`` and
    ``code_list_version``): the code, prefixed :data:`LEGACY_KEY` when it is of the legacy list, whose numbers
    can name other communes in the current one (``indicators.with_legacy_members`` places such a key
    in the areas of its territory)."""
    return case((table.code_list_version == LEGACY, literal(LEGACY_KEY).concat(table.commune_code)),
                else_=table.commune_code).label("commune_key")


NOT_WORKING = "not_working"  # the sector of work of a child who does not work


def _work_sector(child):
    """A child's ``work_sector`` key: its sector (None: not answered), or :data:`NOT_WORKING`."""
    return case((child.working, child.sector), else_=literal(NOT_WORKING)).label("work_sector")


def _craft_village(household):
    """A household's ``craft_village`` key: "yes", "no", or None (not answered)."""
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
