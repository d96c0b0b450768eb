"""What every export importer shares: the checked, fully read import, the limits of a file, and its refusals."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from connectors.errors import PROTOCOL, SourceError
from connectors.records import SubmissionRecord

CURSOR_VERSION = 1
MB = 1_000_000
T = TypeVar("T")


@dataclass(frozen=True)
class ImportLimits:
    """How much one export file may hold. A zip member's inflated size and compression ratio are checked before it is
    inflated, rows while they are read; a file beyond a limit is refused whole.

    A table is a CSV member, a sheet (each XML part of the workbook) or the JSON file. The platforms' exports compress
    CSV about 4-6 to 1; a zip bomb about 1,000 to 1.
    """

    max_table_mb: int = 200
    max_compression_ratio: int = 100
    max_rows: int = 200_000

    def check_size(self, size: int, table: str, what: str) -> None:
        """``table``: the name of the member, sheet or file."""
        if size > self.max_table_mb * MB:
            raise refuse(what, "too_large", f"`{table}` holds {size / MB:,.1f} MB, more than the"
                         f" {self.max_table_mb:,} MB a table may: split the export (e.g. by date) or raise"
                         " max_table_mb",
                         table=table, mb=f"{size / MB:,.1f}", limit=self.max_table_mb)

    def check_archive(self, members: Iterable[zipfile.ZipInfo], what: str) -> None:
        """Each member's declared size and ratio (``zipfile`` never inflates a member beyond its declared size)."""
        for member in members:
            self.check_size(member.file_size, member.filename, what)
            ratio = member.file_size / max(member.compress_size, 1)
            if ratio > self.max_compression_ratio:
                raise refuse(what, "compression", f"`{member.filename}` is compressed {ratio:,.0f} to 1, more"
                             f" than the {self.max_compression_ratio} to 1 an export may be: not a file the platforms"
                             " write", member=member.filename, ratio=f"{ratio:,.0f}",
                             limit=self.max_compression_ratio)

    def read_member(self, archive: zipfile.ZipFile, member: zipfile.ZipInfo, what: str) -> bytes:
        """A checked member, inflated no further than its declared size (``ZipFile.read`` would inflate a member
        whose header lies about its size whole before cutting it)."""
        self.check_archive([member], what)
        try:
            with archive.open(member) as f:
                return f.read(member.file_size)
        except (zipfile.BadZipFile, OSError, EOFError):
            raise refuse(what, "damaged", f"`{member.filename}` is damaged: export it again",
                         member=member.filename) from None

    def rows(self, rows: Iterable[T], table: str, what: str, *, header: int = 1) -> list[T]:
        """The rows of a table (``header`` rows included), read no further than one beyond the limit."""
        taken = list(islice(rows, self.max_rows + header + 1))
        if len(taken) > self.max_rows + header:
            raise refuse(what, "too_many_rows", f"`{table}` has more than {self.max_rows:,} rows, the most a table"
                         " may: split the export (e.g. by date) or raise max_rows", table=table, limit=self.max_rows)
        return taken


class ExportImport:
    """The records of one export file, all read and checked before the first is yielded.

    Iterate once, then take :attr:`cursor` (``{"version", "file", "sha256", "records"}``):
    storing the SHA-256 lets a caller skip a file it already imported.
    """

    def __init__(self, name: str, content: bytes, records: list[SubmissionRecord]) -> None:
        self.name = name
        self.sha256 = hashlib.sha256(content).hexdigest()
        self._records = records
        self._started = False
        self._done = False

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[SubmissionRecord]:
        if self._started:
            raise RuntimeError("an ExportImport can be iterated only once")
        self._started = True
        return self._run()

    def _run(self) -> Iterator[SubmissionRecord]:
        yield from self._records
        self._done = True

    @property
    def cursor(self) -> dict[str, Any]:
        if not self._done:
            raise RuntimeError("the cursor exists only after every record of the file was read")
        return {"version": CURSOR_VERSION, "file": self.name, "sha256": self.sha256, "records": len(self._records)}


DEFAULT_LIMITS = ImportLimits()


@dataclass(frozen=True)
class Refusal:
    """Why a file is refused, for a data manager: a stable ``code`` and its ``params`` (names of members, sheets and
    columns, line numbers, sizes, limits: never a cell's value), rendered from the message catalogue by the caller."""

    code: str
    params: dict[str, str | int]


class FileRefused(SourceError):
    """A file that cannot be imported; ``str()`` says why in English, for developers."""

    def __init__(self, message: str, refusal: Refusal) -> None:
        super().__init__(message, kind=PROTOCOL)
        self.refusal = refusal


def refuse(what: str, code: str, message: str, **params: str | int) -> FileRefused:
    """The error for a file that cannot be imported, e.g. ``ODK Central export x.zip: …``."""
    return FileRefused(f"{what}: {message}", Refusal(code, params))


def read_source(source: Path | bytes, name: str | None) -> tuple[bytes, str]:
    """The file's bytes and the name that identifies it (the ``project`` of its records)."""
    if isinstance(source, Path):
        return source.read_bytes(), name or source.name
    if not name:
        raise ValueError("name the file when passing its bytes")
    return source, name


def decode_text(content: bytes, what: str, member: str) -> str:
    """UTF-8 text (a byte-order mark is dropped), or a refusal saying so."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refuse(what, "not_utf8", f"`{member}` is not UTF-8 text (byte {exc.start}:"
                     f" {content[exc.start:exc.start + 1]!r}); export it again from the server without opening it in"
                     " Excel", member=member, position=exc.start) from None


def listing(names: list[str], limit: int = 5) -> str:
    """Names in backticks, the first ``limit`` of them (English, for the exception's text)."""
    shown = ", ".join(f"`{n}`" for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def name_list(items: list[str], limit: int = 5) -> str:
    """Names for a refusal's parameters, in any language: the first ``limit`` of them, then how many more."""
    return ", ".join(items[:limit]) + (f" (+{len(items) - limit})" if len(items) > limit else "")
