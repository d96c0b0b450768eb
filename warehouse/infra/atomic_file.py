"""Files the project publishes (reports, the case list) are replaced whole or not at all; restricted ones are
its owner's alone."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PRIVATE_FOLDER, PRIVATE_FILE = 0o700, 0o600  # restricted outputs: their owner's alone


def private_folder(folder: Path) -> Path:
    """``folder``, created readable by its owner only when missing (and its missing parents)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
    return folder


def private_file(path: Path) -> Path:
    """``path``, created empty when missing, then readable and writable by its owner only."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
    os.chmod(path, PRIVATE_FILE)
    return path


@contextmanager
def replaced_atomically(path: Path, *, private: bool = False) -> Iterator[Path]:
    """A temporary file beside ``path`` to write; it replaces ``path`` only when the block ends without an error,
    so a failure mid-write leaves the last good file (and no temporary one). ``private``: a restricted output,
    in a folder created for its owner only (``PRIVATE_FOLDER``), the file readable by its owner only."""
    if private:
        private_folder(path.parent)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        if private:
            private_file(temporary)  # writing it again keeps its mode
        yield temporary
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
