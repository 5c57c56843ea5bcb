"""The legal-review ledger: who signed which topic version (by the hash of its content), and which
versions were flagged because the law changed. Each action also goes in the audit log."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.review import (
    CHANGED, LAW_CHANGED, NOT_SIGNED, SIGNED, ReviewState, ReviewUnit, content_hash, review_units,
)
from services_db.unit_of_work import UnitOfWork
from staff.audit import record_change
from staff.models import TopicReviewEvent
from staff.roles import Actor

SIGN, FLAG = "signed", "law_changed"
MAX_NOTE = 500


class ReviewError(ValueError):
    """A signature or flag that cannot be recorded; the message is a key the page explains."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _record_id(unit: ReviewUnit) -> str:
    return f"{unit.topic.id}.{unit.jurisdiction}"


def sign(session: Session, actor: Actor, unit: ReviewUnit, seen_hash: str) -> None:
    """Signs exactly what the reviewer read: if the content changed since the page was opened, nothing
    is signed (they must read the new text)."""
    if not actor.can_sign_topics:
        raise ReviewError("not_a_reviewer")
    current = content_hash(unit.topic.id, unit.jurisdiction)
    if seen_hash != current:
        raise ReviewError("changed_since_opened")
    session.add(TopicReviewEvent(topic_id=unit.topic.id, jurisdiction=unit.jurisdiction, kind=SIGN,
                                 content_hash=current, actor=actor.username, at=_now()))
    record_change(session, actor, "sign", "topic", _record_id(unit), None, None,
                  {"content_hash": current, "reviewed": unit.topic.reviewed.isoformat()})


def flag_law_changed(session: Session, actor: Actor, unit: ReviewUnit, note: str) -> None:
    if not actor.can_flag_topics:
        raise ReviewError("may_not_flag")
    note = " ".join(note.split())[:MAX_NOTE]
    if not note:
        raise ReviewError("say_what_changed")
    current = content_hash(unit.topic.id, unit.jurisdiction)
    session.add(TopicReviewEvent(topic_id=unit.topic.id, jurisdiction=unit.jurisdiction, kind=FLAG,
                                 content_hash=current, actor=actor.username, at=_now(), note=note))
    record_change(session, actor, "flag", "topic", _record_id(unit), None, None,
                  {"content_hash": current, "law_changed": note})


def _state(latest: TopicReviewEvent | None, current_hash: str) -> ReviewState:
    if latest is None:
        return NOT_SIGNED
    if latest.kind == FLAG:
        return ReviewState(LAW_CHANGED, None, latest.actor)
    if latest.content_hash != current_hash:
        return ReviewState(CHANGED, latest.at, latest.actor)
    return ReviewState(SIGNED, latest.at, latest.actor)


def review_state(session: Session, unit: ReviewUnit) -> ReviewState:
    latest = session.execute(
        select(TopicReviewEvent)
        .where(TopicReviewEvent.topic_id == unit.topic.id, TopicReviewEvent.jurisdiction == unit.jurisdiction)
        .order_by(TopicReviewEvent.id.desc()).limit(1)
    ).scalar_one_or_none()
    return _state(latest, content_hash(unit.topic.id, unit.jurisdiction))


@dataclass(frozen=True)
class ReviewRow:
    unit: ReviewUnit
    state: ReviewState
    due: dt.date  # the content's own review date plus the interval
    flag_note: str | None

    @property
    def needs_attention(self) -> bool:
        return self.state.state != SIGNED or self.due <= dt.date.today()


def review_rows(session: Session, interval_days: int) -> list[ReviewRow]:
    """Every version with its state; those that need a lawyer (unsigned, changed, flagged, overdue) first."""
    events = session.execute(select(TopicReviewEvent).order_by(TopicReviewEvent.id)).scalars().all()
    latest: dict[tuple[str, str], TopicReviewEvent] = {(e.topic_id, e.jurisdiction): e for e in events}
    rows = []
    for unit in review_units():
        event = latest.get((unit.topic.id, unit.jurisdiction))
        state = _state(event, content_hash(unit.topic.id, unit.jurisdiction))
        rows.append(ReviewRow(unit, state, unit.topic.reviewed + dt.timedelta(days=interval_days),
                              event.note if event is not None and event.kind == FLAG else None))
    return sorted(rows, key=lambda row: (not row.needs_attention, row.due, row.unit.topic.id))


# --- the same, each in one unit of work (the portal runs these in a worker thread) ---------------

def reviews_due(uow: UnitOfWork, interval_days: int) -> list[ReviewRow]:
    return review_rows(uow.session, interval_days)


def version_state(uow: UnitOfWork, unit: ReviewUnit) -> ReviewState:
    return review_state(uow.session, unit)


def sign_version(uow: UnitOfWork, actor: Actor, unit: ReviewUnit, seen_hash: str) -> ReviewState:
    """Signs (see sign); the version's state afterwards. A ReviewError rolls the unit back."""
    sign(uow.session, actor, unit, seen_hash)
    return review_state(uow.session, unit)


def flag_version(uow: UnitOfWork, actor: Actor, unit: ReviewUnit, note: str) -> ReviewState:
    """Flags that the law changed (see flag_law_changed); the version's state afterwards."""
    flag_law_changed(uow.session, actor, unit, note)
    return review_state(uow.session, unit)


__all__ = ["SIGNED", "CHANGED", "LAW_CHANGED", "ReviewError", "ReviewRow", "flag_law_changed", "flag_version",
           "review_rows", "review_state", "reviews_due", "sign", "sign_version", "version_state"]
