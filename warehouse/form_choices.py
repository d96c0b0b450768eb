"""Choice lists read from an XLSForm's ``choices`` sheet: the form is the source of truth for valid codes."""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from openpyxl import load_workbook


@lru_cache(maxsize=16)
def load_choices(xlsform: Path) -> dict[str, frozenset[str]]:
    """``{list_name: {choice name, …}}`` of ``xlsform``."""
    workbook = load_workbook(xlsform, read_only=True, data_only=True)
    try:
        rows = workbook["choices"].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows)]
        list_col, name_col = header.index("list_name"), header.index("name")
        choices: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            if row[list_col] and row[name_col] is not None:
                choices[str(row[list_col]).strip()].add(str(row[name_col]).strip())
    finally:
        workbook.close()
    return {name: frozenset(values) for name, values in choices.items()}
