"""The first directory schema: HSDS 3.0 tables plus our extension fields, and the spatial index
(SQLite R*Tree, or a GiST-indexed PostGIS geography column).

Revision ID: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organization",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("website", sa.String(500)),
        sa.Column("is_sample", sa.Boolean, nullable=False),
    )
    op.create_table(
        "service",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("organization_id", sa.String(64), sa.ForeignKey("organization.id"), nullable=False, index=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("category", sa.String(64), nullable=False, index=True),
        sa.Column("requires_id", sa.String(8), nullable=False),
        sa.Column("firewall_pledge", sa.Boolean, nullable=False),
        sa.Column("free_of_charge", sa.Boolean, nullable=False),
        sa.Column("walk_in", sa.Boolean, nullable=False),
        sa.Column("assured_date", sa.Date),
        sa.Column("last_modified", sa.DateTime, nullable=False),
        sa.Column("is_sample", sa.Boolean, nullable=False),
    )
    op.create_table(
        "service_translation",
        sa.Column("service_id", sa.String(64), sa.ForeignKey("service.id"), primary_key=True),
        sa.Column("language", sa.String(8), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
    )
    op.create_table(
        "location",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("organization_id", sa.String(64), sa.ForeignKey("organization.id"), index=True),
        sa.Column("location_type", sa.String(16), nullable=False),
        sa.Column("name", sa.String(300)),
        sa.Column("address", sa.String(500)),
        sa.Column("latitude", sa.Float, nullable=False),
        sa.Column("longitude", sa.Float, nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
    )
    op.create_table(
        "service_at_location",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("service_id", sa.String(64), sa.ForeignKey("service.id"), nullable=False, index=True),
        sa.Column("location_id", sa.String(64), sa.ForeignKey("location.id"), nullable=False, index=True),
    )
    op.create_table(
        "phone",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("service_id", sa.String(64), sa.ForeignKey("service.id"), index=True),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
    )
    op.create_table(
        "schedule",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("service_id", sa.String(64), sa.ForeignKey("service.id"), index=True),
        sa.Column("freq", sa.String(16), nullable=False),
        sa.Column("byday", sa.String(64), nullable=False),
        sa.Column("opens_at", sa.String(5), nullable=False),
        sa.Column("closes_at", sa.String(5), nullable=False),
    )
    op.create_table(
        "language",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("service_id", sa.String(64), sa.ForeignKey("service.id"), index=True),
        sa.Column("code", sa.String(8), nullable=False),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("CREATE VIRTUAL TABLE location_rtree USING rtree(id, min_lat, max_lat, min_lon, max_lon)")
    elif dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        op.execute("ALTER TABLE location ADD COLUMN geog geography(Point, 4326)")
        op.execute("CREATE INDEX location_geog_idx ON location USING GIST (geog)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE location_rtree")
    for table in ("language", "schedule", "phone", "service_at_location", "location", "service_translation",
                  "service", "organization"):
        op.drop_table(table)
