"""Tables of the staff portal, in the directory database (the listings they guard live there too)."""
from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text

from services_db.models import Base


class StaffAccount(Base):
    __tablename__ = "staff_account"
    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(80), nullable=False, unique=True)
    password_hash = Column(String(200), nullable=False)
    role = Column(String(16), nullable=False)  # admin | staff | operator
    organization_id = Column(String(64), ForeignKey("organization.id"), index=True)  # staff only
    created_at = Column(DateTime, nullable=False)
    disabled_at = Column(DateTime)


class StaffSession(Base):
    """A login. Only a hash of the cookie's value is kept, so a copy of the database opens no session."""

    __tablename__ = "staff_session"
    token_hash = Column(String(64), primary_key=True)
    account_id = Column(Integer, ForeignKey("staff_account.id"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False)
    last_seen_at = Column(DateTime, nullable=False)


class LoginCounter(Base):
    """Login attempts in a window, per account name, per client address, and per the pair of both
    (staff/login_throttle.py). The key is a SHA-256: neither names nor addresses are stored."""

    __tablename__ = "login_counter"
    key = Column(String(64), primary_key=True)
    failures = Column(Integer, nullable=False)
    window_start = Column(DateTime, nullable=False, index=True)


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    id = Column(Integer, primary_key=True, autoincrement=True)
    at = Column(DateTime, nullable=False, index=True)
    actor = Column(String(80), nullable=False)
    action = Column(String(32), nullable=False)
    record_type = Column(String(32), nullable=False)
    record_id = Column(String(64), nullable=False)
    organization_id = Column(String(64), index=True)
    before = Column(Text)  # JSON
    after = Column(Text)  # JSON


class TopicReviewEvent(Base):
    """A legal reviewer signed a topic version (the hash of exactly what they read), or someone flagged
    that the law behind it changed. The newest event of a version decides its state."""

    __tablename__ = "topic_review_event"
    id = Column(Integer, primary_key=True, autoincrement=True)
    topic_id = Column(String(64), nullable=False)
    jurisdiction = Column(String(16), nullable=False)
    kind = Column(String(16), nullable=False)  # signed | law_changed
    content_hash = Column(String(64), nullable=False)
    actor = Column(String(80), nullable=False)
    at = Column(DateTime, nullable=False)
    note = Column(Text)
