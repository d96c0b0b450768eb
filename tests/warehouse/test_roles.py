"""Who reads what on PostgreSQL (``python -m warehouse.schema.roles``): each role connects and reads.

The roles are made before the warehouse has a table, and the real pipeline (``monitoring_job`` on a small demo)
then builds it as the owner: the grants and the row-level security come with the migrations. The roles belong
to the whole PostgreSQL cluster, so these tests run on a server of their own.
"""

from __future__ import annotations

import dagster as dg
import psycopg
import pytest
from psycopg import errors
from sqlalchemy import create_engine

from dagster_project.definitions import FORMS, build_definitions
from dagster_project.resources import WarehouseResource
from dagster_project.sources import DemoSource
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.pg_server import PostgresServer, find_bindir
from warehouse.schema.data_dictionary import ANALYST_TABLES
from warehouse.schema.models import Base
from warehouse.schema.roles import OWNER_ONLY, RESTRICTED_AREA, WORKER_AREAS, main

pytestmark = pytest.mark.postgres

OWNER = "clms_owner"
COMMUNE, PROVINCE = "commune", "province"
# Who says a restricted row's area: the rows of its household, inspection or activity, read by the owner.
AREA_OF = {table: f"SELECT r.*, p.commune_code, p.province_code, p.code_list_version FROM {table} r "
                  f"JOIN {parent} p USING ({key})" for table, (key, parent) in RESTRICTED_AREA.items()}
# Every column of the restricted tables that names or places a person or an establishment.
IDENTIFYING = ("child_name", "respondent_name", "respondent_phone", "enumerator", "village", "worker_name",
               "establishment_name", "inspector", "organiser_name", "reporter", "title", "venue", "gps_lat",
               "officer", "reporter_name", "reporter_phone", "guardian_name", "guardian_phone", "summary")

PLACES = ("area_commune", "legacy_commune", "target")  # names of places (some are people's names: Xã Vũ Dũng)


@pytest.fixture(scope="module")
def server():
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
    with PostgresServer(bindir) as pg:
        yield pg


def connect(server: PostgresServer, user: str) -> psycopg.Connection:
    return psycopg.connect(f"host=127.0.0.1 port={server.port} user={user} dbname=clms", autocommit=True)


@pytest.fixture(scope="module")
def warehouse(server, tmp_path_factory):
    """The demo warehouse built by the owner; a login of analyst; case workers of a commune and of a province
    that hold restricted rows, and of a commune of another province."""
    admin = server.create_database("clms")
    assert main(["--url", admin, "setup", "--owner", OWNER]) == 0
    owner_url = admin.replace("postgres@", f"{OWNER}@")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLMS_DATA_DIR", str(tmp_path_factory.mktemp("run")))  # no reference uploads
        mp.setenv("CLMS_PSEUDONYM_KEY", TEST_PSEUDONYM_KEY)
        source = DemoSource(households=150, inspections=60, seed=5)
        defs = build_definitions(WarehouseResource(url=owner_url, pseudonym_key=TEST_PSEUDONYM_KEY),
                                 {form: source for form in FORMS})
        with dg.DagsterInstance.ephemeral() as instance:
            assert defs.resolve_job_def("monitoring_job").execute_in_process(instance=instance).success
    assert main(["--url", admin, "setup", "--owner", OWNER]) == 0  # again: nothing changes
    with connect(server, OWNER) as conn:
        communes = conn.execute("SELECT commune_code, province_code, count(*) FROM household "
                                "WHERE code_list_version = 'vn-2025-07' "
                                "AND household_id IN (SELECT household_id FROM restricted_child_pii) "
                                "GROUP BY 1, 2 ORDER BY 3 DESC").fetchall()
        [province] = conn.execute(  # a province with pre-July-2025 rows (their old commune went to it)
            "SELECT l.province_code FROM activity a JOIN legacy_commune l ON l.legacy_code = a.commune_code "
            "WHERE a.code_list_version = 'vn-legacy' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()
    (commune, _, _), other = communes[0], next(c for c, p, _ in communes if p != communes[0][1])
    for argv in (["analyst", "an"], ["worker", "lan", "--commune", commune], ["worker", "lan", "--commune", commune],
                 ["worker", "minh", "--province", province], ["worker", "hoa", "--commune", other]):
        assert main(["--url", admin, *argv]) == 0
    yield {"lan": (COMMUNE, commune), "minh": (PROVINCE, province), "hoa": (COMMUNE, other)}
    create_engine(admin).dispose()


def values(conn: psycopg.Connection, query: str, params=None) -> list:
    return [row[0] for row in conn.execute(query, params)]


def readable_tables(conn: psycopg.Connection) -> set[str]:
    return set(values(conn, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                            "AND has_table_privilege(current_user, format('%I.%I', schemaname, tablename), 'SELECT')"))


def test_every_table_has_its_readers():
    """A new table is the owner's alone until it is listed here: the lists cover every table of the models."""
    listed = set(ANALYST_TABLES) | set(RESTRICTED_AREA) | set(OWNER_ONLY) | {WORKER_AREAS}
    assert listed == set(Base.metadata.tables)
    assert {t for t in Base.metadata.tables if t.startswith("restricted_")} == set(RESTRICTED_AREA) | {
        "restricted_approval", "restricted_enumerator", "restricted_case_match_decision",  # the owner's alone
        "restricted_indicator_value"}  # every indicator cell before disclosure control


def test_the_owner_reads_everything(server, warehouse):
    with connect(server, OWNER) as conn:
        assert readable_tables(conn) >= set(Base.metadata.tables)
        for table in RESTRICTED_AREA:
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, table


def test_the_analyst_reads_no_name(server, warehouse):
    with connect(server, OWNER) as conn:
        names = {n for table, column in (("restricted_child_pii", "child_name"),
                                         ("restricted_household_pii", "respondent_name"),
                                         ("restricted_young_worker_pii", "worker_name"))
                 for n in values(conn, f"SELECT {column} FROM {table} WHERE {column} <> ''")}
    assert len(names) > 100
    with connect(server, "an") as conn:
        assert readable_tables(conn) == set(ANALYST_TABLES)
        for table in [*RESTRICTED_AREA, *OWNER_ONLY, WORKER_AREAS]:
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(f"SELECT 1 FROM {table} LIMIT 1")
        columns = set(values(conn, "SELECT column_name FROM information_schema.columns "
                                   "WHERE table_schema = 'public' AND table_name = ANY(%s)", [list(ANALYST_TABLES)]))
        assert not columns & set(IDENTIFYING)
        seen = {table: [str(value) for row in conn.execute(f"SELECT * FROM {table}") for value in row]
                for table in ANALYST_TABLES}
    assert sum(value.startswith("C-") for value in seen["case_register"]) > 10
    assert not names & {value for table_values in seen.values() for value in table_values}
    answers = "\n".join(value for table, table_values in seen.items() if table not in PLACES for value in table_values)
    assert [name for name in names if name in answers] == []
    with connect(server, "an") as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute("INSERT INTO target SELECT * FROM target LIMIT 1")


@pytest.mark.parametrize("login", ["lan", "minh", "hoa"])
def test_a_case_worker_reads_the_restricted_rows_of_her_area_only(server, warehouse, login):
    """Her area's rows: those of its households, inspections and activities, and the pre-July-2025 ones of the
    old communes that went to it."""
    level, code = warehouse[login]
    with connect(server, OWNER) as conn:
        every = {table: conn.execute(AREA_OF[table]).fetchall() for table in RESTRICTED_AREA}
        went_to_it = set(values(conn, f"SELECT legacy_code FROM legacy_commune WHERE {level}_code = %s", [code]))
    expected = {table: sorted(row[:-3] for row in rows if (row[-1], row[-3 if level == COMMUNE else -2]) == (
                    "vn-2025-07", code) or (row[-1] == "vn-legacy" and row[-3] in went_to_it))
                for table, rows in every.items()}
    with connect(server, login) as conn:
        assert readable_tables(conn) == set(ANALYST_TABLES) | set(RESTRICTED_AREA) | {WORKER_AREAS}
        for table in RESTRICTED_AREA:
            assert sorted(conn.execute(f"SELECT * FROM {table}").fetchall()) == expected[table], table
        assert conn.execute(f"SELECT area_level, area_code FROM {WORKER_AREAS}").fetchall() == [(level, code)]
        for table in ("raw_submission", "quarantine"):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(f"SELECT 1 FROM {table} LIMIT 1")
    assert expected["restricted_child_pii"], "the area holds children"
    if login == "minh":
        assert any(row[-1] == "vn-legacy" and row[-3] in went_to_it for row in every["restricted_activity_text"])
    assert len(expected["restricted_child_pii"]) < len(every["restricted_child_pii"])


def test_sqlite_has_no_roles(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["--url", f"sqlite:///{tmp_path / 'w.sqlite'}", "setup"])
    assert "single-user" in capsys.readouterr().err


def test_a_login_s_password_is_stored_hashed_and_an_unknown_area_refused(server, warehouse, monkeypatch, capsys):
    monkeypatch.setenv("CLMS_ROLE_PASSWORD", "not-a-real-password-1")
    assert main(["--url", server.url("clms"), "analyst", "binh"]) == 0
    with connect(server, "postgres") as conn:
        [stored] = values(conn, "SELECT rolpassword FROM pg_authid WHERE rolname = 'binh'")
    assert stored.startswith("SCRAM-SHA-256$")
    assert main(["--url", server.url("clms"), "worker", "vy", "--commune", "99999"]) == 1
    assert "commune '99999' is not in the code list vn-2025-07" in capsys.readouterr().err
    with connect(server, "postgres") as conn:
        assert values(conn, "SELECT rolname FROM pg_roles WHERE rolname = 'vy'") == []
