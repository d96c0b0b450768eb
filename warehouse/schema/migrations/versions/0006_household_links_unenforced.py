"""A household's clean rows link to it without foreign keys (warehouse.clean_links)

The children, the PII rows and the classifications of a household are written, replaced and deleted with it by
the cleaning step, in one transaction. Checking each row's parent as it was written cost most of the database's
work in a national load (PostgreSQL, 1M children: cleaning took 116 s with these four keys, 78 s without);
the links are checked after each load instead. On SQLite the tables are rebuilt, those referring to ``child``
first: rebuilding ``child`` while a key with ON DELETE CASCADE still pointed at it would empty them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

KEYS = [  # (table, column, parent table, parent column), children of child first
    ('child_classification', 'child_id', 'child', 'child_id'),
    ('restricted_child_pii', 'child_id', 'child', 'child_id'),
    ('restricted_household_pii', 'household_id', 'household', 'household_id'),
    ('child', 'household_id', 'household', 'household_id'),
]
NAMING = {'fk': '%(table_name)s_%(column_0_name)s_fkey'}  # PostgreSQL's own names; SQLite's keys have none


def upgrade() -> None:
    for table, column, _parent, _key in KEYS:
        with op.batch_alter_table(table, naming_convention=NAMING) as batch_op:
            batch_op.drop_constraint(f'{table}_{column}_fkey', type_='foreignkey')


def downgrade() -> None:
    for table, column, parent, key in reversed(KEYS):
        with op.batch_alter_table(table, naming_convention=NAMING) as batch_op:
            batch_op.create_foreign_key(f'{table}_{column}_fkey', parent, [column], [key], ondelete='CASCADE')
