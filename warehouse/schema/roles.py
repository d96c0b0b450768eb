"""Who reads what in a PostgreSQL warehouse: ``python -m warehouse.schema.roles setup|analyst|worker``.

Roles (each command is idempotent; run it as a superuser, or as the owner with ``CREATEROLE``):

- the **owner** (``setup --owner NAME``; default the connecting role): the pipeline's login. It runs the
  migrations, so it owns every table, reads and writes everything; row-level security does not apply to it.
- ``analyst`` (a group; ``analyst LOGIN`` adds a login to it): reads the de-identified tables of
  :data:`ANALYST_TABLES` only. Not the ``restricted_*`` tables (names, phones, GPS, free text), nor
  ``raw_submission``/``raw_submission_history`` (every answer as received), ``quarantine`` (its ``value`` and
  ``reason`` hold the rejected answer, which can be a name typed in the wrong field), ``sync_cursor``,
  ``pipeline_checkpoint``, ``reference_upload`` (the pipeline's bookkeeping), ``case_worker_area`` (staff logins) or
  ``restricted_approval`` (approvers' names and notes; no area: the owner's alone), ``restricted_case_match_decision``
  (who decided that two records are one child: the owner's alone) or ``restricted_indicator_value`` (every
  indicator cell before disclosure control, small counts of children included: the owner's alone, for accountable
  officers; ``warehouse.indicators.disclosure``).
- ``case_worker`` (a group; ``worker LOGIN --commune CODE`` or ``--province CODE`` adds a login mapped to that
  area in ``case_worker_area``): what ``analyst`` reads, and the rows of the ``restricted_*`` tables of its
  area only, by row-level security (:data:`RESTRICTED_AREA`: a restricted row is in the area of the household,
  inspection, activity or case report it belongs to; a pre-July-2025 row's old commune is in every new commune and
  province it went to, ``legacy_commune``).

Every table a later migration adds is covered: :func:`apply_access` runs after every upgrade that applied a
migration (:func:`warehouse.schema.db.upgrade`) once ``setup`` has created the roles, from the lists here. Access is
granted by name, never by default privileges, so a new table is the owner's alone until it is listed.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

from psycopg import sql
from sqlalchemy import Connection, Engine, text

from warehouse.infra.settings import Settings
from warehouse.schema.admin_units import LEGACY, load_admin_units
from warehouse.schema.data_dictionary import ANALYST_TABLES
from warehouse.schema.models import Base, CaseWorkerArea

ANALYST, CASE_WORKER = "analyst", "case_worker"
PASSWORD_VARIABLE = "CLMS_ROLE_PASSWORD"  # the password of a login the command creates
AREA_LEVELS = ("commune", "province")

# Each restricted table: the column naming its household, inspection or activity, and that table (whose
# commune_code, province_code and code_list_version place the row).
RESTRICTED_AREA: dict[str, tuple[str, str]] = {
    "restricted_household_pii": ("household_id", "household"),
    "restricted_child_pii": ("household_id", "household"),
    "restricted_inspection_pii": ("inspection_id", "inspection"),
    "restricted_young_worker_pii": ("inspection_id", "inspection"),
    "restricted_activity_text": ("activity_id", "activity"),
    "restricted_case_report_pii": ("report_id", "case_report"),
    "restricted_case_match_candidate": ("report_id", "case_report"),
}
# The owner's alone (why: the module's docstring).
OWNER_ONLY = ("raw_submission", "raw_submission_history", "quarantine", "sync_cursor", "pipeline_checkpoint",
              "reference_upload", "restricted_approval",
              "restricted_enumerator", "restricted_case_match_decision", "restricted_indicator_value")
WORKER_AREAS = CaseWorkerArea.__tablename__
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class RolesError(ValueError):
    """A role or area the command cannot use, said plainly."""


def _quoted(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _worker_sees(key: str, parent: str, version: str) -> str:
    """SQL: the ``key`` of the rows of ``parent`` (household, inspection, activity) in the current login's areas."""
    mine = f"SELECT area_code FROM {WORKER_AREAS} WHERE role_name = current_user AND area_level = "
    return (f"SELECT p.{key} FROM {parent} p WHERE "
            f"(p.code_list_version = '{version}' AND (p.commune_code IN ({mine}'commune') "
            f"OR p.province_code IN ({mine}'province'))) "
            f"OR (p.code_list_version = '{LEGACY}' AND p.commune_code IN ("
            f"SELECT l.legacy_code FROM legacy_commune l JOIN {WORKER_AREAS} w ON w.role_name = current_user "
            "AND w.area_code = CASE w.area_level WHEN 'commune' THEN l.commune_code ELSE l.province_code END))")


def apply_access(conn: Connection) -> None:
    """Grant each group its tables and put the area policies on the restricted ones (the tables that exist;
    idempotent), revoking whatever else the groups were given. Run by the tables' owner."""
    tables = set(conn.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars())
    foreign = conn.execute(text(
        "SELECT tablename, tableowner FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename = ANY(:names) AND tableowner <> current_user"), {"names": list(Base.metadata.tables)}).all()
    if foreign:
        name, owner = foreign[0]
        raise RolesError(f"table {name} belongs to {owner}, not to the owner running this: give the owner the "
                         f"warehouse first (REASSIGN OWNED BY {owner} TO <owner>)")
    schema = _quoted(conn, conn.execute(text("SELECT current_schema()")).scalar())
    conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {ANALYST}, {CASE_WORKER}"))
    readable = sorted(tables & set(ANALYST_TABLES))
    if readable:
        conn.execute(text(f"GRANT SELECT ON {', '.join(readable)} TO {ANALYST}, {CASE_WORKER}"))
    if WORKER_AREAS in tables:
        _policy(conn, WORKER_AREAS, "role_name = current_user")
    version = load_admin_units().code_list_version
    for table, (key, parent) in RESTRICTED_AREA.items():
        if {table, parent, WORKER_AREAS, "legacy_commune"} <= tables:
            _policy(conn, table, f"{key} IN ({_worker_sees(key, parent, version)})")


def _policy(conn: Connection, table: str, rows: str) -> None:
    """``case_worker`` reads the rows of ``table`` where ``rows`` holds, and nothing else of it."""
    conn.execute(text(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"))
    conn.execute(text(f"DROP POLICY IF EXISTS case_worker_area ON {table}"))
    conn.execute(text(f"CREATE POLICY case_worker_area ON {table} FOR SELECT TO {CASE_WORKER} USING ({rows})"))
    conn.execute(text(f"GRANT SELECT ON {table} TO {CASE_WORKER}"))


def roles_set_up(conn: Connection) -> bool:
    """Whether ``setup`` created the groups in this PostgreSQL cluster."""
    return conn.execute(text("SELECT count(*) FROM pg_roles WHERE rolname IN (:a, :w)"),
                        {"a": ANALYST, "w": CASE_WORKER}).scalar() == 2


def _role_exists(conn: Connection, name: str) -> bool:
    return bool(conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).scalar())


def _ensure_role(conn: Connection, name: str, *, login: bool, member_of: str | None = None) -> None:
    """Create role ``name`` when missing (a login with the password of ``CLMS_ROLE_PASSWORD`` when it is set)."""
    role = _quoted(conn, name)
    if not _role_exists(conn, name):
        if not _ROLE_NAME.fullmatch(name):
            raise RolesError(f"{name!r} is not a role name the command makes: lower-case letters, digits and _, "
                             "at most 63, not starting with a digit")
        conn.execute(text(f"CREATE ROLE {role} {'LOGIN' if login else 'NOLOGIN'}"))
        password = os.environ.get(PASSWORD_VARIABLE)
        if login and password:
            driver = conn.connection.driver_connection  # the password leaves hashed (SCRAM), never in a statement
            hashed = driver.pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256").decode()
            conn.exec_driver_sql(f"ALTER ROLE {role} PASSWORD {sql.Literal(hashed).as_string(driver)}")
    if member_of:
        conn.execute(text(f"GRANT {member_of} TO {role}"))


def setup(engine: Engine, owner: str | None = None) -> str:
    """Create the owner (a login, when named and missing) and the two groups, let the owner create the tables,
    and apply the access rules to the tables that exist; returns the owner's name."""
    with engine.begin() as conn:
        owner = owner or conn.execute(text("SELECT current_user")).scalar()
        _ensure_role(conn, owner, login=True)
        for group in (ANALYST, CASE_WORKER):
            _ensure_role(conn, group, login=False)
        database = _quoted(conn, conn.execute(text("SELECT current_database()")).scalar())
        schema = _quoted(conn, conn.execute(text("SELECT current_schema()")).scalar())
        conn.execute(text(f"GRANT CONNECT ON DATABASE {database} TO {ANALYST}, {CASE_WORKER}"))
        conn.execute(text(f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC"))
        conn.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO {ANALYST}, {CASE_WORKER}"))
        conn.execute(text(f"GRANT USAGE, CREATE ON SCHEMA {schema} TO {_quoted(conn, owner)}"))
        conn.execute(text(f"SET LOCAL ROLE {_quoted(conn, owner)}"))
        apply_access(conn)
    return owner


def add_analyst(engine: Engine, login: str) -> None:
    with engine.begin() as conn:
        _require_setup(conn)
        _ensure_role(conn, login, login=True, member_of=ANALYST)


def add_worker(engine: Engine, login: str, level: str, code: str) -> None:
    """A case worker's login, reading the restricted rows of the commune or province ``code`` (vn-2025-07)."""
    units = load_admin_units()
    known = units.communes if level == "commune" else {c.province_code for c in units.communes.values()}
    if code not in known:
        raise RolesError(f"{level} {code!r} is not in the code list {units.code_list_version}")
    with engine.begin() as conn:
        _require_setup(conn)
        _ensure_role(conn, login, login=True, member_of=CASE_WORKER)
        owner = conn.execute(text(f"SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() "
                                  f"AND tablename = '{WORKER_AREAS}'")).scalar()
        conn.execute(text(f"SET LOCAL ROLE {_quoted(conn, owner)}"))
        conn.execute(text(f"INSERT INTO {WORKER_AREAS} (role_name, area_level, area_code) VALUES (:r, :l, :c) "
                          "ON CONFLICT DO NOTHING"), {"r": login, "l": level, "c": code})


def _require_setup(conn: Connection) -> None:
    if not roles_set_up(conn):
        raise RolesError("the groups analyst and case_worker do not exist: run "
                         "`python -m warehouse.schema.roles setup` first")
    if not conn.execute(text("SELECT to_regclass(:t)"), {"t": WORKER_AREAS}).scalar():
        raise RolesError("the warehouse has no tables yet: run the pipeline (or its migrations) as the owner first")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m warehouse.schema.roles", description=(
        "PostgreSQL roles of the warehouse: the owner, analyst and case_worker groups, and their logins "
        f"(password from {PASSWORD_VARIABLE} when set). SQLite is single-user: it has no roles."))
    parser.add_argument("--url", help="the warehouse (SQLAlchemy URL of PostgreSQL); default CLMS_WAREHOUSE_URL")
    commands = parser.add_subparsers(dest="command", required=True)
    setup_parser = commands.add_parser("setup", help="create the owner and the groups, grant the tables")
    setup_parser.add_argument("--owner", help="the pipeline's login, created if missing; default: the role connecting")
    commands.add_parser("analyst", help="add a login to analyst").add_argument("login")
    worker = commands.add_parser("worker", help="add a case worker's login for a commune or a province")
    worker.add_argument("login")
    area = worker.add_mutually_exclusive_group(required=True)
    for level in AREA_LEVELS:
        area.add_argument(f"--{level}", metavar="CODE", help=f"the {level} code (code list vn-2025-07)")
    args = parser.parse_args(argv)

    from warehouse.schema.db import make_engine  # not at the top: warehouse.schema.db imports this module

    engine = make_engine(args.url or Settings.from_environment().warehouse_url)
    if engine.dialect.name != "postgresql":
        parser.error("roles need PostgreSQL: the embedded SQLite warehouse is single-user (its file is its "
                     "owner's alone)")
    try:
        if args.command == "setup":
            print(f"owner {setup(engine, args.owner)}; groups {ANALYST} and {CASE_WORKER} granted their tables")
        elif args.command == "analyst":
            add_analyst(engine, args.login)
            print(f"{args.login} reads the analyst tables")
        else:
            level = next(level for level in AREA_LEVELS if getattr(args, level))
            add_worker(engine, args.login, level, getattr(args, level))
            print(f"{args.login} reads the restricted rows of {level} {getattr(args, level)}")
    except RolesError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
