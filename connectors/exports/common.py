"""What every export importer shares: the checked, fully read import, and its refusals."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from connectors.errors import PROTOCOL, SourceError
from connectors.records import SubmissionRecord

CURSOR_VERSION = 1


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


def refuse(what: str, message: str) -> SourceError:
    """The error for a file that cannot be imported, e.g. ``ODK Central export x.zip: …``."""
    return SourceError(f"{what}: {message}", kind=PROTOCOL)


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
        raise refuse(what, f"`{member}` is not UTF-8 text (byte {exc.start}: {content[exc.start:exc.start + 1]!r});"
                           " export it again from the server without opening it in Excel") from None


def listing(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
