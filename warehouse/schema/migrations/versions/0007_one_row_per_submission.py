"""A raw submission is one row per form and root instance id, whatever route brought it (warehouse.raw_store)

Rows of the same submission stored under several routes, files or projects (a cumulative export under a new file
name, a Central sync and an export of it, two projects) are folded into the one ``raw_store.replaces`` keeps: the
latest platform time (submission, update, deletion), then a platform's API above an export file, then the last
changed. The others go to ``raw_submission_history`` (with their own history), the clean rows and quarantine rows
they gave now point at the kept row, and the kept row gets a new ``change_seq``: every cleaning step reads it
again and replaces what either gave. ``raw_submission_history`` records the route of each version kept.

On SQLite the table is rebuilt with its foreign keys off (dropping a table other tables refer to fails with them
on), after committing what the upgrade did before. The downgrade restores the old key; folded rows stay folded.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

KEY = 'uq_raw_submission_identity'
DERIVED = ('household', 'inspection', 'activity', 'case_visit', 'quarantine', 'raw_submission_history')
KEPT = ('form_version', 'current_instance_id', 'updated_at', 'deleted_at', 'review_state', 'payload', 'received',
        'content_sha256', 'change_seq')
CHANGE_SEQ = 'raw_submission.change_seq'  # raw_store's sequence row in pipeline_checkpoint
NEVER = datetime.min.replace(tzinfo=timezone.utc)


def upgrade() -> None:
    with op.batch_alter_table('raw_submission_history') as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('project', sa.String(length=128), nullable=True))
    for column in ('source', 'project'):
        op.execute(f'UPDATE raw_submission_history SET {column} = (SELECT r.{column} FROM raw_submission r'
                   ' WHERE r.id = raw_submission_history.raw_submission_id)')
    _fold_duplicates()
    with _foreign_keys_off_on_sqlite(), op.batch_alter_table('raw_submission') as batch_op:
        batch_op.drop_constraint(KEY, type_='unique')
        batch_op.create_unique_constraint(KEY, ['form_id', 'instance_id'])


def downgrade() -> None:
    with _foreign_keys_off_on_sqlite(), op.batch_alter_table('raw_submission') as batch_op:
        batch_op.drop_constraint(KEY, type_='unique')
        batch_op.create_unique_constraint(KEY, ['source', 'project', 'form_id', 'instance_id'])
    with op.batch_alter_table('raw_submission_history') as batch_op:
        batch_op.drop_column('project')
        batch_op.drop_column('source')


def _fold_duplicates() -> None:
    conn = op.get_bind()
    groups = conn.execute(sa.text('SELECT form_id, instance_id FROM raw_submission GROUP BY form_id, instance_id'
                                  ' HAVING count(*) > 1')).all()
    if not groups:
        return
    now = datetime.now(timezone.utc).isoformat(timespec='milliseconds').replace('+00:00', 'Z')
    last = max(conn.execute(sa.text('SELECT max(change_seq) FROM raw_submission')).scalar() or 0,
               conn.execute(sa.text('SELECT position FROM pipeline_checkpoint WHERE step = :s'),
                            {'s': CHANGE_SEQ}).scalar() or 0)  # before any row goes: past every step's checkpoint
    kept_ids = []
    for form_id, instance_id in groups:
        rows = conn.execute(sa.text('SELECT id, source, submitted_at, updated_at, deleted_at, change_seq'
                                    ' FROM raw_submission WHERE form_id = :f AND instance_id = :i'),
                            {'f': form_id, 'i': instance_id}).all()
        kept, *folded = sorted(rows, key=_precedence, reverse=True)
        kept_ids.append(kept.id)
        for row in folded:
            ids = {'kept': kept.id, 'folded': row.id}
            columns = ', '.join(KEPT)
            conn.execute(sa.text(f'INSERT INTO raw_submission_history (raw_submission_id, source, project, {columns},'
                                 f' replaced_at) SELECT :kept, source, project, {columns}, :now FROM raw_submission'
                                 ' WHERE id = :folded'), {**ids, 'now': now})
            for table in DERIVED:
                conn.execute(sa.text(f'UPDATE {table} SET raw_submission_id = :kept WHERE raw_submission_id = :folded'),
                             ids)
            conn.execute(sa.text('DELETE FROM raw_submission WHERE id = :folded'), ids)
    for offset, row_id in enumerate(kept_ids, start=1):
        conn.execute(sa.text('UPDATE raw_submission SET change_seq = :seq, last_changed_at = :now WHERE id = :id'),
                     {'seq': last + offset, 'now': now, 'id': row_id})
    conn.execute(sa.text('UPDATE pipeline_checkpoint SET position = :p WHERE step = :s'),
                 {'p': last + len(kept_ids), 's': CHANGE_SEQ})


def _precedence(row) -> tuple:
    """raw_store.replaces as of this revision: the latest platform time, then an API above a file, then the last
    changed."""
    latest = NEVER
    for text in (row.submitted_at, row.updated_at, row.deleted_at):
        try:
            moment = datetime.fromisoformat(text)
        except (TypeError, ValueError):
            continue
        latest = max(latest, moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc))
    return latest, not row.source.startswith('file:'), row.change_seq


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
            raise RuntimeError('rows refer to no raw submission after rebuilding raw_submission')
    except BaseException:
        driver.rollback()
        raise
    else:
        driver.commit()
    finally:
        driver.execute('PRAGMA foreign_keys=ON')
