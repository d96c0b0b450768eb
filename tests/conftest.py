"""Shared fixtures: a pseudonym key, a real PostgreSQL server, a warehouse URL on each backend, a real ODK Central."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile

import pytest

from tests.central_server import CentralServer, missing_tools
from tests.pg_server import PostgresServer, find_bindir
from warehouse.infra.settings import Settings

TEST_PSEUDONYM_KEY = "test-key-not-a-secret-0123456789"
_databases = itertools.count()


# The files whose tests take longest (``PYTEST_ADDOPTS=--durations=60`` of a CI run), run first: pytest-xdist
# hands out whole files in order, and a long file left for last keeps one worker busy while the others wait.
HEAVY_FIRST = ("tests/pipeline/test_multiprocess_job.py", "tests/faults/test_kill_and_rerun.py",
               "tests/faults/test_sync_under_faults.py", "tests/deploy/test_server_recipe.py",
               "tests/warehouse/test_disclosure_adversary.py", "tests/warehouse/test_roles.py",
               "tests/real_central/test_case_lifecycle.py", "tests/warehouse/test_rekey.py",
               "tests/pipeline/test_survey_design_pipeline.py", "tests/warehouse/test_incremental_indicators.py",
               "tests/real_central/test_lifecycle.py", "tests/pipeline/test_programme_pipeline.py")


def pytest_configure(config):
    """The data folder (``CLMS_DATA_DIR``) of the run: a fresh temporary folder, set before the pipeline's modules
    read their default folders, so that no test writes into the project's ``var/``."""
    os.environ["CLMS_DATA_DIR"] = tempfile.mkdtemp(prefix="clms-test-data-")


def pytest_unconfigure(config):
    shutil.rmtree(os.environ.pop("CLMS_DATA_DIR"), ignore_errors=True)


def pytest_collection_modifyitems(items):
    rank = {path: n for n, path in enumerate(HEAVY_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(HEAVY_FIRST)))


def session_files() -> set[str]:
    return {p.name for p in Settings.from_environment().central_sessions.glob("session-*.json")}


@pytest.fixture(scope="session", autouse=True)
def no_session_file_left_in_var():
    """Tests keep Central sessions in temporary folders (``session_dir``), never in the pipeline's own (the default
    of OdkCentralSource, under the data folder), which tests would share."""
    before = session_files()
    yield
    left = session_files() - before
    if left:
        folder = Settings.from_environment().central_sessions
        pytest.fail(f"tests left {len(left)} Central session file(s) in {folder}: give every OdkCentralSource a "
                    "temporary session_dir")


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch):
    monkeypatch.setenv("CLMS_PSEUDONYM_KEY", TEST_PSEUDONYM_KEY)
    return TEST_PSEUDONYM_KEY


@pytest.fixture(scope="session", autouse=True)
def english_labels():
    """The UI in English (``CLMS_LANGUAGE=en``), whose metadata labels are the keys the tests read, for the whole
    run: module-scoped fixtures run jobs before any function-scoped fixture. The tests of the languages themselves
    set it as they need with ``monkeypatch`` (tests/pipeline/test_ui_language.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLMS_LANGUAGE", "en")
        yield


@pytest.fixture(scope="session")
def postgres_server():
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on this machine: set PG_BINDIR or "
                    "install postgresql; the warehouse tests ran on SQLite only")
    with PostgresServer(bindir) as server:
        yield server


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def warehouse_url(request, tmp_path):
    """A fresh, empty warehouse on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    server = request.getfixturevalue("postgres_server")
    return server.create_database(f"clms_test_{next(_databases)}")


@pytest.fixture(scope="session")
def odk_central():
    """A real ODK Central for the whole test run (tests/central_server.py); skipped only where Node or PostgreSQL
    are missing, and never in CI (``CI`` set)."""
    reason = missing_tools()
    if reason:
        message = f"ODK Central cannot run here: {reason}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with CentralServer() as server:
        yield server
