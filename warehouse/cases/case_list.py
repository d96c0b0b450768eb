"""The case list the follow-up form picks a child from: one row per case of the register, never a name.

On ODK Central each row is an entity of the list ``cases`` (id = the case id as a version 4 UUID, the only kind
Central accepts: :func:`warehouse.cases.case_register.entity_id`); on KoboToolbox the open rows are
written to ``cases.csv`` (:func:`write_cases_csv`), the form's media file. Columns, properties and who writes
them: ``forms/README.md``, "The `cases` entity list".
"""

from __future__ import annotations

import csv
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar

from sqlalchemy import Engine, select

from warehouse.cases.case_register import entity_id
from warehouse.infra.atomic_file import replaced_atomically
from warehouse.schema.admin_units import LEGACY, Commune, load_admin_units
from warehouse.schema.models import Case

DATASET = "cases"
COLUMNS = ("name", "label", "case_code", "commune", "age_band", "case_type", "status", "due_date", "last_visit",
           "first_support", "state", "overdue")
PROPERTIES = COLUMNS[2:]
FORM_OWNED = frozenset({"case_type", "status", "due_date", "last_visit", "first_support", "state"})
"""The properties the follow-up form saves (its ``save_to``): each visit writes them, on the phone at once and
on ODK Central when the submission arrives, so the pipeline writes them only when it creates an entity, never
over what a collector recorded. The phone's "next visit due" is the form's ``due_date``; a case closes only by a
visit, which sets its ``status`` and ``state`` to closed and blanks its ``due_date``."""
PIPELINE_OWNED = tuple(p for p in PROPERTIES if p not in FORM_OWNED)
"""The properties only the pipeline writes (with the label): on ODK Central every run brings them up to date on
every entity of the register, closed cases included (whose ``overdue`` becomes ``no``: nothing is due once closed,
``reference/case_workflow.toml``), as ``overdue`` moves with the days and the register's latest visits."""
CLOSED = "closed"


@dataclass(frozen=True)
class CaseListRow:
    """A case as the list shows it; dates ISO, blanks as ``""``. ``uuid`` is ``name`` in cases.csv."""

    uuid: str
    label: str
    case_code: str
    commune: str
    age_band: str
    case_type: str
    status: str
    due_date: str
    last_visit: str
    first_support: str
    state: str
    overdue: str  # "yes" or "no", as at the day the list was made

    @property
    def is_open(self) -> bool:
        return self.status != CLOSED

    @property
    def data(self) -> dict[str, str]:
        """The entity's property values: the properties that have one."""
        return {p: getattr(self, p) for p in PROPERTIES if getattr(self, p)}

    def csv_row(self) -> list[str]:
        return [self.uuid, self.label, *(getattr(self, p) for p in PROPERTIES)]


@dataclass(frozen=True)
class RegisterCaseList:
    """The register's cases as a source publishes them (the :class:`connectors.sources.CaseList` it is given)."""

    rows: Sequence[CaseListRow]
    dataset: ClassVar[str] = DATASET
    properties: ClassVar[tuple[str, ...]] = PROPERTIES
    owned: ClassVar[tuple[str, ...]] = PIPELINE_OWNED

    @property
    def open(self) -> list[CaseListRow]:
        return [r for r in self.rows if r.is_open]

    @property
    def closed(self) -> list[CaseListRow]:
        return [r for r in self.rows if not r.is_open]

    def write_csv(self, path: Path) -> int:
        return write_cases_csv(self.rows, path)


def case_label(case_code: str, commune_name: str, age_band: str) -> str:
    """``C-7K3Q9 · Xã Mỹ Hòa Hưng · 13–14 tuổi``: code, commune, age band; nothing that names the child."""
    return unicodedata.normalize("NFC", f"{case_code} · {commune_name} · {age_band.replace('-', '–')} tuổi")


def case_list_rows(engine: Engine, *, as_of: date | None = None,
                   communes: Mapping[str, Commune] | None = None) -> list[CaseListRow]:
    """Every case of the register (closed ones too), by case code, in its current state.

    ``due_date``: when the case's next step is due (the register's ``due_on``, from the workflow's time limits
    and the officer's next visit); blank once closed. ``overdue``: due before ``as_of`` (default today). A commune
    missing from the code list is labelled by its code; a pre-July-2025 one (``vn-legacy``) by its old name.
    """
    as_of = as_of or date.today()
    communes = load_admin_units().communes if communes is None else communes
    legacy = load_admin_units().legacy_communes
    with engine.connect() as conn:
        cases = conn.execute(select(Case.__table__).order_by(Case.case_code)).all()
    rows = []
    for case in cases:
        due = None if case.status == CLOSED else case.due_on
        commune = (legacy if case.code_list_version == LEGACY else communes).get(case.commune_code)
        rows.append(CaseListRow(
            uuid=_entity_id(case.case_id, case.case_code),
            label=case_label(case.case_code, commune.name if commune else case.commune_code, case.age_band),
            case_code=case.case_code,
            commune=case.commune_code,
            age_band=case.age_band,
            case_type=case.case_type,
            status=case.status,
            due_date=_iso(due),
            last_visit=_iso(case.last_visit_on),
            first_support=_iso(case.first_support_on),
            state=case.state,
            overdue="yes" if due is not None and due < as_of else "no",
        ))
    return rows


def write_cases_csv(rows: Iterable[CaseListRow], path: Path) -> int:
    """Write the open cases to ``path`` (UTF-8, README columns in order), overdue first, then by due date, whole
    or not at all, readable by its owner only; returns how many."""
    written = 0
    with replaced_atomically(path, private=True) as temporary, open(temporary, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in sorted(rows, key=lambda r: (r.overdue != "yes", r.due_date or "9999")):
            if row.is_open:
                writer.writerow(row.csv_row())
                written += 1
    return written


def _entity_id(case_id: str, case_code: str) -> str:
    """The case's entity id (a version 4 UUID, :func:`entity_id`), its case id checked to be a UUID in canonical
    form first: Central takes nothing else as an entity id."""
    try:
        canonical = str(uuid.UUID(case_id))
    except ValueError:
        canonical = None
    if canonical != case_id.lower():
        raise ValueError(f"case {case_code}: its id {case_id!r} is not a UUID, so it cannot be an entity id")
    return entity_id(case_id)


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""
