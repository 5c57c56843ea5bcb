"""Login throttle per name, per client address and per both, instead of per name alone (which let anyone
lock an admin out by guessing wrong five times). The old counters are dropped: at worst a guesser gets a
fresh window once.

Revision ID: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("login_throttle")
    op.create_table(
        "login_counter",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("window_start", sa.DateTime, nullable=False),
    )
    op.create_index("ix_login_counter_window_start", "login_counter", ["window_start"])


def downgrade() -> None:
    op.drop_index("ix_login_counter_window_start", "login_counter")
    op.drop_table("login_counter")
    op.create_table(
        "login_throttle",
        sa.Column("name_hash", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("first_failure_at", sa.DateTime, nullable=False),
    )
