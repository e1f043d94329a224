"""facilitator session version

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 21:44:42.506540
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table('facilitator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))



def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table('facilitator', schema=None) as batch_op:
        batch_op.drop_column('session_version')

