"""The versioned files of rules, thresholds and policies (``warehouse/reference/*.toml``), read one way.

Each carries a non-empty ``version``, which what is computed under it records. A file that cannot be read, has
no version or lacks a key raises :class:`VersionedFileError`, naming the file and what is wrong.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference"


class VersionedFileError(ValueError):
    """A versioned file that cannot be used."""


def read_versioned(path: str | Path) -> dict:
    """The document of ``path``, whose ``version`` is not empty."""
    path = Path(path)
    with checked(path):
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        if not str(doc["version"]).strip():
            raise ValueError("version must not be empty")
    return doc


@contextmanager
def checked(path: str | Path) -> Iterator[None]:
    """What goes wrong while reading ``path`` or its settings, as a :class:`VersionedFileError` naming the file."""
    try:
        yield
    except VersionedFileError:
        raise
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as error:
        raise VersionedFileError(f"{Path(path).name} cannot be read: {type(error).__name__} {error}") from None
