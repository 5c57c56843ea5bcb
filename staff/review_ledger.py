"""The review state replies show ("Checked by a lawyer on ..."), read from the ledger in the directory
database; a ledger that cannot be read never turns into a claim of a signature."""
from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from knowledge.repository import Topic
from knowledge.review import NOT_SIGNED, ReviewState, ReviewUnit, unit_for_deployment
from staff.reviews import review_state

logger = logging.getLogger(__name__)


def signed_state(sessions: sessionmaker, unit: ReviewUnit) -> ReviewState:
    """The review state of a version; if the ledger cannot be read, the reply says "not yet checked" rather
    than claim a lawyer's signature it cannot see."""
    try:
        with sessions() as db:
            return review_state(db, unit)
    except SQLAlchemyError:
        logger.warning("review ledger unavailable; answering as not yet checked")
        return NOT_SIGNED


def signed_on(sessions: sessionmaker, topic: Topic, country: str) -> str | None:
    """The `signed_on` argument of utter_rights_sources: the ISO date a legal reviewer signed the exact
    version users in `country` are shown, or None (the reply then says it is a draft)."""
    state = signed_state(sessions, unit_for_deployment(topic, country))
    if state.is_signed and state.signed_at is not None:
        return state.signed_at.date().isoformat()
    return None
