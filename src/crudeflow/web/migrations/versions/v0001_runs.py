"""The runs table: one saved plan or analysis per row.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``runs`` and its index on ``created_at``."""
    op.create_table(
        "runs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("dataset_id", sa.String(200), nullable=False),
        sa.Column("dataset_hash", sa.String(64), nullable=False),
        sa.Column("scenario_name", sa.String(200), nullable=False),
        sa.Column("scenario_text", sa.Text, nullable=True),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("crudeflow_version", sa.String(40), nullable=False),
        sa.Column("highs_version", sa.String(40), nullable=False),
        sa.Column("timings", sa.JSON, nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("results", sa.JSON, nullable=False),
    )
    op.create_index("ix_runs_created_at", "runs", ["created_at"])


def downgrade() -> None:
    """Drop ``runs``."""
    op.drop_index("ix_runs_created_at", table_name="runs")
    op.drop_table("runs")
