"""The data-quality workbook a data manager reads before approving: one sheet per day and enumerator, one per
enumerator, and the flags with what each means, in Vietnamese (default) or English. Enumerators appear by their
pseudonymous id (their names are in ``restricted_enumerator``), places by name."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from statistics import median

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from warehouse.infra.atomic_file import replaced_atomically
from warehouse.quality.data_quality import Flag, Survey
from warehouse.schema.admin_units import AdminUnits

HEADER_FILL = PatternFill("solid", start_color="DCE6F1")
FLAG_FILL = PatternFill("solid", start_color="F8DED6")
LANGUAGES = ("vi", "en")

TEXT: dict[str, tuple[str, str]] = {
    "sheet_days": ("Theo ngày", "By day"),
    "sheet_enumerators": ("Theo điều tra viên", "By enumerator"),
    "sheet_flags": ("Các cờ cần xem", "Flags to review"),
    "day": ("Ngày phỏng vấn", "Interview date"),
    "enumerator": ("Mã điều tra viên", "Enumerator id"),
    "days": ("Số ngày làm việc", "Days worked"),
    "interviews": ("Số phiếu", "Interviews"),
    "refusals": ("Số hộ từ chối", "Refusals"),
    "refusal_share": ("Tỷ lệ từ chối", "Refusal share"),
    "children": ("Số trẻ em", "Children"),
    "no_work_share": ("Tỷ lệ trẻ không làm việc", "Share of children not working"),
    "median_minutes": ("Thời lượng trung vị (phút)", "Median length (minutes)"),
    "flags": ("Số cờ", "Flags"),
    "check": ("Phép kiểm tra", "Check"),
    "place": ("Địa bàn", "Place"),
    "household": ("Mã hộ", "Household id"),
    "other_household": ("Hộ trùng với", "Duplicate of"),
    "child": ("Mã trẻ", "Child id"),
    "value": ("Giá trị", "Value"),
    "threshold": ("Ngưỡng", "Threshold"),
    "meaning": ("Ý nghĩa", "What it means"),
    "none": ("Không có cờ nào: số liệu đạt các phép kiểm tra (ngưỡng: {version}).",
             "No flag: the data pass every check (thresholds: {version})."),
}

CHECK_WORDS: dict[str, tuple[str, str]] = {
    "too_short": ("Phỏng vấn quá ngắn", "Interview too short"),
    "too_many_a_day": ("Quá nhiều phiếu trong một ngày", "Too many interviews in a day"),
    "refusals": ("Tỷ lệ hộ từ chối cao bất thường", "Unusually many refusals"),
    "no_work": ("Tỷ lệ trẻ không làm việc cao bất thường", "Unusually many children reported not working"),
    "duplicate_household": ("Hộ có thể bị phỏng vấn hai lần (cùng vị trí, cùng danh sách trẻ)",
                            "Household perhaps interviewed twice (same place, same roster)"),
    "hh_size": ("Số nhân khẩu bất thường", "Unusual household size"),
    "hours_day": ("Số giờ làm việc trong ngày bất thường", "Unusual hours of work in a day"),
    "hours_week": ("Số giờ làm việc trong tuần bất thường", "Unusual hours of work in a week"),
    "chores_hours_week": ("Số giờ làm việc nhà bất thường", "Unusual hours of chores"),
    "age_grade": ("Tuổi và lớp học không khớp", "Age and school grade do not match"),
    "back_check": ("Phúc tra không khớp với phỏng vấn gốc", "Back-check disagrees with the interview"),
}


@dataclass(frozen=True)
class Words:
    language: str

    def __call__(self, key: str, **values) -> str:
        return TEXT[key][LANGUAGES.index(self.language)].format(**values)

    def check(self, code: str) -> str:
        return CHECK_WORDS[code][LANGUAGES.index(self.language)]


def write_sheet(survey: Survey, flags: list[Flag], units: AdminUnits, path: Path, version: str,
                language: str = "vi") -> Path:
    """Write the workbook to ``path`` (atomically: a failure leaves the last one)."""
    words = Words(language)
    workbook = Workbook()
    _days(workbook.active, survey, flags, words)
    _enumerators(workbook.create_sheet(words("sheet_enumerators")), survey, flags, words)
    _flags(workbook.create_sheet(words("sheet_flags")), flags, units, version, words)
    with replaced_atomically(path) as temporary:
        workbook.save(temporary)
    return path


def _table(ws, headers: list[str], widths: list[float]) -> None:
    for column, (text, width) in enumerate(zip(headers, widths, strict=True), 1):
        cell = ws.cell(1, column, text)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = "A2"


def _append(ws, values: list, flagged: bool) -> None:
    ws.append(values)
    if flagged:
        for cell in ws[ws.max_row]:
            cell.fill = FLAG_FILL


def _flag_counts(flags: list[Flag]) -> tuple[Counter, Counter]:
    """Flags per (enumerator, day) and per enumerator."""
    return (Counter((f.enumerator_id, f.interview_date) for f in flags if f.interview_date is not None),
            Counter(f.enumerator_id for f in flags))


def _days(ws, survey: Survey, flags: list[Flag], words: Words) -> None:
    ws.title = words("sheet_days")
    _table(ws, [words(k) for k in ("day", "enumerator", "interviews", "refusals", "median_minutes", "flags")],
           [14, 36, 10, 12, 14, 8])
    groups: dict[tuple[date, str], list] = defaultdict(list)
    for h in survey.households:
        groups[(h.interview_date, h.enumerator_id or "")].append(h)
    per_day, _ = _flag_counts(flags)
    for (day, enumerator), households in sorted(groups.items()):
        count = per_day[(enumerator or None, day)]
        _append(ws, [day, enumerator, len(households), sum(not h.consent for h in households),
                     _median([h.interview_minutes for h in households if h.consent]), count], count > 0)
        ws.cell(ws.max_row, 1).number_format = "yyyy-mm-dd"


def _enumerators(ws, survey: Survey, flags: list[Flag], words: Words) -> None:
    _table(ws, [words(k) for k in ("enumerator", "days", "interviews", "refusal_share", "children",
                                   "no_work_share", "median_minutes", "flags")], [36, 10, 10, 12, 10, 14, 14, 8])
    by_id = {h.household_id: h for h in survey.households}
    households: dict[str, list] = defaultdict(list)
    for h in survey.households:
        households[h.enumerator_id or ""].append(h)
    children: dict[str, list] = defaultdict(list)
    for c in survey.children:
        if c.household_id in by_id:
            children[by_id[c.household_id].enumerator_id or ""].append(c)
    _, per_enumerator = _flag_counts(flags)
    for enumerator, rows in sorted(households.items()):
        kids = children[enumerator]
        count = per_enumerator[enumerator or None]
        _append(ws, [enumerator, len({h.interview_date for h in rows}), len(rows),
                     sum(not h.consent for h in rows) / len(rows),
                     len(kids), sum(not c.econ_activity for c in kids) / len(kids) if kids else None,
                     _median([h.interview_minutes for h in rows if h.consent]), count], count > 0)
        for column in (4, 6):
            ws.cell(ws.max_row, column).number_format = "0.0%"


def _flags(ws, flags: list[Flag], units: AdminUnits, version: str, words: Words) -> None:
    _table(ws, [words(k) for k in ("check", "day", "enumerator", "place", "household", "other_household", "child",
                                   "value", "threshold")], [44, 14, 36, 30, 36, 36, 36, 10, 10])
    if not flags:
        ws.append([words("none", version=version)])
        return
    for f in flags:
        ws.append([words.check(f.check), f.interview_date, f.enumerator_id, _place(f, units), f.household_id,
                   f.other_household_id, f.child_id, f.value, f.threshold])
        ws.cell(ws.max_row, 2).number_format = "yyyy-mm-dd"


def _place(f: Flag, units: AdminUnits) -> str:
    """The commune and province of a flag, by name (an enumerator's flag has none)."""
    commune = units.communes.get(f.commune_code) or units.legacy_communes.get(f.commune_code)
    province = units.provinces.get(f.province_code, "")
    return ", ".join(name for name in (commune.name if commune else "", province) if name)


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(median(known), 1) if known else None
