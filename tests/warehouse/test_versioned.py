"""The versioned files of rules, thresholds and policies are read one way (``warehouse.infra.versioned``)."""

import re
from pathlib import Path

import pytest

from warehouse.infra.versioned import REFERENCE_DIR, VersionedFileError, read_versioned

ROOT = Path(__file__).resolve().parents[2]


def test_every_versioned_file_has_a_version():
    files = sorted(REFERENCE_DIR.glob("*.toml"))
    assert len(files) == 7
    assert all(read_versioned(path)["version"].strip() for path in files)


def test_only_the_reader_and_the_message_catalogue_parse_toml():
    parsers = {path.relative_to(ROOT).as_posix() for folder in ("connectors", "warehouse", "dagster_project")
               for path in (ROOT / folder).rglob("*.py") if re.search(r"^import tomllib", path.read_text(), re.M)}
    assert parsers == {"warehouse/infra/versioned.py", "warehouse/infra/messages.py"}


@pytest.mark.parametrize("text, why", [
    ('version = " "\n', "cannot be read: ValueError version must not be empty"),
    ("[a]\nb = 1\n", "cannot be read: KeyError 'version'"),
    ("version = \n", "cannot be read: TOMLDecodeError"),
])
def test_a_file_that_cannot_be_used_is_named(tmp_path, text, why):
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(VersionedFileError, match=f"policy.toml {why}"):
        read_versioned(path)
