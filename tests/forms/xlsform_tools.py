"""XLSForm helpers for the form tests: conversion with pyxform, canonical content hash, forms/versions.json.

Canonical dump of a form (what its SHA-256 is computed on): every sheet that has a value, sorted by sheet name;
each row as the list of its cell values up to the last non-empty cell, trailing empty rows dropped; a value is
written as text (empty cell -> "", integral number -> "1", other number -> repr, TRUE/FALSE, date -> ISO 8601);
the whole is JSON (UTF-8, no whitespace). Only cell values count: formatting, column widths, comments and file
metadata do not, so re-saving in Excel without changes keeps the hash.

Command line (from the repository root), after bumping `settings.version` of a changed form:
    .venv/bin/python -m tests.forms.xlsform_tools --update    # record versions and hashes in forms/versions.json
    .venv/bin/python -m tests.forms.xlsform_tools --check     # what the test checks
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
from pyxform.xls2xform import ConvertResult, convert

REPO = Path(__file__).resolve().parents[2]
FORMS_DIR = REPO / "forms"
VERSIONS_FILE = FORMS_DIR / "versions.json"
UPDATE_COMMAND = ".venv/bin/python -m tests.forms.xlsform_tools --update"
NS = {"xf": "http://www.w3.org/2002/xforms", "h": "http://www.w3.org/1999/xhtml", "jr": "http://openrosa.org/javarosa"}


def form_files(forms_dir: Path = FORMS_DIR) -> list[Path]:
    """Every XLSForm in `forms_dir` (Excel's `~$` lock files excluded)."""
    return sorted(path for path in forms_dir.glob("*.xlsx") if not path.name.startswith("~$"))


def convert_form(xlsform) -> ConvertResult:
    """Convert an XLSForm (path, bytes or dict) with pyxform; warnings are in the result's `warnings`."""
    return convert(xlsform=xlsform, warnings=[], pretty_print=True)


def itext(xform: str) -> dict[str, dict[str, str]]:
    """{language: {text id: text}} of an XForm's translations, in document order."""
    translations = ET.fromstring(xform).iterfind("h:head/xf:model/xf:itext/xf:translation", NS)
    return {
        translation.get("lang"): {
            text.get("id"): "".join(text.find("xf:value", NS).itertext()).strip()
            for text in translation.iterfind("xf:text", NS)
        }
        for translation in translations
    }


def untranslated(xform: str) -> list[str]:
    """Texts not given in every language: blank in a translation ("" or pyxform's "-" placeholder), or written
    as a literal label or hint instead of a translation (a plain `label` or `hint` column, which pyxform accepts
    silently; a plain `constraint_message` or `required_message` column is a pyxform warning)."""
    texts = itext(xform)
    ids = set().union(*texts.values()) if texts else set()
    problems = [
        f"{language}: {text_id}"
        for language, by_id in texts.items() for text_id in ids if by_id.get(text_id, "") in ("", "-")
    ]
    for parent in ET.fromstring(xform).find("h:body", NS).iter():
        for child in [*parent.iterfind("xf:label", NS), *parent.iterfind("xf:hint", NS)]:
            if child.get("ref") is None and "".join(child.itertext()).strip():
                problems.append(f"literal: {parent.get('ref') or parent.get('nodeset')} {child.tag.split('}')[1]}")
    return sorted(problems)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def read_sheets(path: Path) -> dict[str, list[list[str]]]:
    """Cell values of every non-empty sheet, as text, without trailing empty cells and rows."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = {}
        for sheet in workbook.worksheets:
            rows = [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
            rows = [row[: max((i + 1 for i, text in enumerate(row) if text), default=0)] for row in rows]
            while rows and not rows[-1]:
                rows.pop()
            if rows:
                sheets[sheet.title] = rows
        return dict(sorted(sheets.items()))
    finally:
        workbook.close()


def content_sha256(path: Path) -> str:
    dump = json.dumps(read_sheets(path), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(dump.encode("utf-8")).hexdigest()


def settings_version(path: Path) -> str:
    """`version` of the settings sheet ("" if there is none)."""
    settings = read_sheets(path).get("settings", [])
    if len(settings) < 2 or "version" not in settings[0]:
        return ""
    column = settings[0].index("version")
    return settings[1][column] if column < len(settings[1]) else ""


def current_versions(forms_dir: Path = FORMS_DIR) -> dict[str, dict[str, str]]:
    return {
        path.name: {"version": settings_version(path), "sha256": content_sha256(path)}
        for path in form_files(forms_dir)
    }


def _newer(version: str, than: str) -> bool:
    if version.isdigit() and than.isdigit():
        return int(version) > int(than)
    return version > than


def blocking_problems(recorded: dict, current: dict) -> list[str]:
    """Forms changed without a higher settings.version: recording them would hide the change."""
    problems = []
    for name, now in current.items():
        then = recorded.get(name)
        if then is None:
            continue
        if now["sha256"] != then["sha256"] and now["version"] == then["version"]:
            problems.append(
                f"forms/{name} changed but its settings.version is still {now['version']}: set a higher version "
                f"(yyyymmddNN, e.g. today's date and 01) in its settings sheet, then run `{UPDATE_COMMAND}`."
            )
        elif now["version"] != then["version"] and not _newer(now["version"], then["version"]):
            problems.append(
                f"forms/{name}: settings.version {now['version']} must be greater than the recorded "
                f"{then['version']} (ODK Central and KoboToolbox refuse to publish a version twice)."
            )
    return problems


def stale_records(recorded: dict, current: dict) -> list[str]:
    """Forms whose record in forms/versions.json is missing or out of date (fixed by --update)."""
    problems = []
    for name, now in current.items():
        then = recorded.get(name)
        if then is not None and _newer(now["version"], then["version"]):
            problems.append(
                f"forms/{name}: settings.version is {now['version']} but forms/versions.json records "
                f"{then['version']}: run `{UPDATE_COMMAND}`."
            )
    problems += [
        f"forms/{name} is not recorded in forms/versions.json: run `{UPDATE_COMMAND}`."
        for name in current.keys() - recorded.keys()
    ]
    problems += [
        f"forms/versions.json records forms/{name}, which no longer exists: run `{UPDATE_COMMAND}`."
        for name in recorded.keys() - current.keys()
    ]
    return problems


def version_problems(recorded: dict, current: dict) -> list[str]:
    """Why `recorded` (forms/versions.json) does not describe `current`; empty when it does."""
    return blocking_problems(recorded, current) + stale_records(recorded, current)


def load_recorded(versions_file: Path = VERSIONS_FILE) -> dict:
    return json.loads(versions_file.read_text(encoding="utf-8")) if versions_file.exists() else {}


def update_versions(forms_dir: Path = FORMS_DIR, versions_file: Path = VERSIONS_FILE) -> list[str]:
    """Record the current versions and hashes, unless a form changed without a higher version (returned)."""
    current = current_versions(forms_dir)
    blocking = blocking_problems(load_recorded(versions_file), current)
    if not blocking:
        versions_file.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    return blocking


def main() -> None:
    parser = argparse.ArgumentParser(description="Check or record forms/versions.json.")
    parser.add_argument("--update", action="store_true", help="record the current versions and hashes")
    parser.add_argument("--check", action="store_true", help="report forms whose record is out of date")
    args = parser.parse_args()
    if args.update:
        problems = update_versions()
        done = f"Recorded {len(load_recorded())} form(s) in forms/versions.json."
    else:
        problems = version_problems(load_recorded(), current_versions())
        done = "forms/versions.json is up to date."
    print("\n".join(problems) or done)
    sys.exit(1 if problems else 0)

if __name__ == "__main__":
    main()
