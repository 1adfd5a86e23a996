"""index revocation events by role

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    # Without it, the role term of a revocation lookup scans every event.
    with op.batch_alter_table('revocation_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revocation_event_role_id'), ['role_id'],
                              unique=False)
