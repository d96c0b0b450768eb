"""The commune register: a commune's open cases with the children's names, for its child-protection officer.

Restricted: it joins the case list to the names in ``restricted_child_pii`` and ``restricted_young_worker_pii``,
so it is written only to a restricted folder, readable by its owner, as a workbook
(:func:`write_commune_register`) and as a page to read on screen or print (:func:`write_commune_register_page`). The cases
whose next step is overdue come first, then by due date (the workflow's time limits, ``case_register.due_on``).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import Engine, select

from warehouse.infra.atomic_file import replaced_atomically
from warehouse.schema.models import Case, RestrictedChildPii, RestrictedYoungWorkerPii

HEADER = ("Quá hạn / Overdue", "Hạn bước tiếp theo / Next step due", "Mã hồ sơ / Case code",
          "Họ và tên trẻ / Child's name", "Ngày sinh / Date of birth", "Nhóm tuổi / Age band",
          "Loại / Type", "Bước / Step", "Lần thăm gần nhất / Latest visit", "Hỗ trợ đầu tiên / First support")


@dataclass(frozen=True)
class RegisterRow:
    overdue: bool
    due_on: date | None
    case_code: str
    name: str
    dob: date | None
    age_band: str
    case_type: str
    state: str
    last_visit_on: date | None
    first_support_on: date | None


def commune_register_rows(engine: Engine, commune_code: str, as_of: date | None = None) -> list[RegisterRow]:
    """The open cases of ``commune_code`` (post-2025 code list) with their names: overdue on ``as_of`` (default
    today) first, then by due date, then by case code. A child whose name was not recorded shows blank."""
    as_of, c = as_of or date.today(), Case
    child, worker = RestrictedChildPii, RestrictedYoungWorkerPii
    with engine.connect() as conn:
        cases = conn.execute(
            select(c.case_code, c.subject_kind, c.due_on, c.age_band, c.case_type, c.state, c.last_visit_on,
                   c.first_support_on, child.child_name, child.dob, worker.worker_name, worker.dob.label("worker_dob"))
            .outerjoin(child, (c.subject_kind == "child") & (child.child_id == c.subject_id))
            .outerjoin(worker, (c.subject_kind == "young_worker") & (worker.worker_id == c.subject_id))
            .where(c.commune_code == commune_code, c.code_list_version == "vn-2025-07", c.status != "closed")).all()
    rows = [RegisterRow(r.due_on is not None and r.due_on < as_of, r.due_on, r.case_code,
                        (r.child_name if r.subject_kind == "child" else r.worker_name) or "",
                        r.dob if r.subject_kind == "child" else r.worker_dob, r.age_band, r.case_type, r.state,
                        r.last_visit_on, r.first_support_on) for r in cases]
    return sorted(rows, key=lambda r: (not r.overdue, r.due_on or date.max, r.case_code))


def write_commune_register(rows: list[RegisterRow], path: Path) -> int:
    """Write ``rows`` as a workbook at ``path``, in a folder and a file its owner alone can read (0700, 0600),
    whole or not at all; returns how many cases."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Sổ theo dõi"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r in rows:
        sheet.append(["Có / Yes" if r.overdue else "", r.due_on, r.case_code, r.name, r.dob, r.age_band, r.case_type,
                      r.state, r.last_visit_on, r.first_support_on])
        if r.overdue:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True, color="C4462A")
    sheet.freeze_panes = "A2"
    with replaced_atomically(path, private=True) as temporary:
        book.save(temporary)
    return len(rows)


PAGE = """<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5rem; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #999; padding: 0.3rem 0.5rem; text-align: left; }}
thead th {{ background: #eee; position: sticky; top: 0; }}
tr.overdue td {{ font-weight: bold; color: #a3341c; }}
@media print {{ thead {{ display: table-header-group; }} }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>Ngày lập / As of: {as_of}. Số trường hợp đang theo dõi / Open cases: {cases}; quá hạn / overdue: {overdue}.</p>
<table>
<thead><tr>{header}</tr></thead>
<tbody>
{rows}
</tbody>
</table>
</body>
</html>
"""


def write_commune_register_page(rows: list[RegisterRow], path: Path, title: str, as_of: date | None = None) -> int:
    """Write ``rows`` as an HTML page at ``path`` (private, as the workbook), overdue cases marked in words and in
    bold; returns how many cases."""

    def cell(value) -> str:
        return f"<td>{html.escape('' if value is None else str(value))}</td>"

    lines = [("<tr class='overdue'>" if r.overdue else "<tr>") + "".join(cell(v) for v in (
        "Có / Yes" if r.overdue else "", r.due_on, r.case_code, r.name, r.dob, r.age_band, r.case_type, r.state,
        r.last_visit_on, r.first_support_on)) + "</tr>" for r in rows]
    page = PAGE.format(title=html.escape(title), as_of=(as_of or date.today()).isoformat(), cases=len(rows),
                       overdue=sum(r.overdue for r in rows), rows="\n".join(lines),
                       header="".join(f"<th scope='col'>{html.escape(h)}</th>" for h in HEADER))
    with replaced_atomically(path, private=True) as temporary:
        Path(temporary).write_text(page, encoding="utf-8")
    return len(rows)
