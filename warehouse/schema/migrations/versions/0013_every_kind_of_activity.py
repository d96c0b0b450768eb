"""Every kind of activity in the plans: media, materials, campaigns, pledges, supervision visits, parent sanctions

``activity`` gets the campaign and the measures of each new kind of report, and ``participants_total`` may be
empty (a broadcast or a print run has no participants); ``inspection`` gets the inspecting agency. On SQLite
``activity`` is rebuilt with its foreign keys off: dropping it with them on would delete its reach rows.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

COLUMNS = [
    ('campaign', sa.String(length=32)), ('channel', sa.String(length=32)), ('airings', sa.Integer()),
    ('copies', sa.Integer()), ('estimated_reach', sa.BigInteger()), ('reach_basis', sa.String(length=32)),
    ('sanctioned_people', sa.Integer()), ('sanction_warning', sa.Boolean()), ('sanction_fine', sa.Boolean()),
    ('fines_vnd', sa.BigInteger()), ('sanction_agency', sa.String(length=32)), ('pledge_signer', sa.String(length=32)),
    ('pledges_signed', sa.Integer()), ('supervisor_level', sa.String(length=16)), ('issues_found', sa.Boolean()),
]


def upgrade() -> None:
    with op.batch_alter_table('inspection') as batch_op:
        batch_op.add_column(sa.Column('inspecting_agency', sa.String(length=32), nullable=True))
    with _foreign_keys_off_on_sqlite(), op.batch_alter_table('activity') as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        batch_op.alter_column('participants_total', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute('DELETE FROM activity WHERE participants_total IS NULL')
    with _foreign_keys_off_on_sqlite(), op.batch_alter_table('activity') as batch_op:
        batch_op.alter_column('participants_total', existing_type=sa.Integer(), nullable=False)
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table('inspection') as batch_op:
        batch_op.drop_column('inspecting_agency')


@contextmanager
def _foreign_keys_off_on_sqlite() -> Iterator[None]:
    conn = op.get_bind()
    if conn.dialect.name != 'sqlite':
        yield
        return
    driver = conn.connection.driver_connection
    driver.commit()  # PRAGMA foreign_keys is ignored within a transaction
    driver.execute('PRAGMA foreign_keys=OFF')
    try:
        yield
        if driver.execute('PRAGMA foreign_key_check').fetchall():
            raise RuntimeError('rows refer to no activity after rebuilding activity')
    except BaseException:
        driver.rollback()
        raise
    else:
        driver.commit()
    finally:
        driver.execute('PRAGMA foreign_keys=ON')
