"""The review state replies show ("Checked by a lawyer on ..."), read from the ledger in the directory
database; a ledger that cannot be read never turns into a claim of a signature."""
from __future__ import annotations

import logging

from typing import Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from knowledge.review import NOT_SIGNED, ReviewState, ReviewUnit
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


def review_state_reader(sessions: sessionmaker) -> Callable[[ReviewUnit], ReviewState]:
    """What RenderContext.review_state expects, reading the ledger through these sessions."""
    return lambda unit: signed_state(sessions, unit)
