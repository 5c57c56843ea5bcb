"""The abuse controls every chat channel shares in this process: message budgets per conversation and
per network address, a budget for failed signature checks, replay protection for webhooks, the
request-size cap, and the "slow down" reply in the conversation's language.

All of it is keyed by pseudonyms or keyed hashes, never by a phone number or an IP address, and a
conversation erased at the user's request is forgotten here too (privacy.erasure)."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional

from sanic import Blueprint, Sanic
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from bot.channels.rate_limit import RateLimiter
from bot.channels.replay import ReplayGuard
from contract import SLOT_LANGUAGE
from i18n.catalogs import translate
from i18n.languages import DEFAULT_LANGUAGE, is_supported
from privacy.erasure import on_erasure
from privacy.pseudonym import pseudonymise
from settings import get_settings

logger = logging.getLogger(__name__)
SLOW_DOWN = "abuse.slow_down"
# The reply to a flood must not wait on a slow store: past this, it goes out in English.
LANGUAGE_LOOKUP_SECONDS = 2.0


@dataclass(frozen=True)
class AbuseControls:
    senders: RateLimiter
    addresses: RateLimiter
    # Requests whose signature or verify token was wrong, per address: WhatsApp webhooks all come from
    # Twilio's or Meta's servers, so only failures are counted there, never genuine traffic.
    bad_signatures: RateLimiter
    replays: ReplayGuard


def bad_signature_budget(address_per_minute: int) -> int:
    """A tenth of an address's budget: a genuine sender never fails a check, a misconfigured one soon stops."""
    return max(5, address_per_minute // 10)


@lru_cache(maxsize=1)
def controls() -> AbuseControls:
    settings = get_settings()
    made = AbuseControls(
        senders=RateLimiter(settings.rate_limit_sender_per_minute),
        addresses=RateLimiter(settings.rate_limit_address_per_minute),
        bad_signatures=RateLimiter(bad_signature_budget(settings.rate_limit_address_per_minute)),
        replays=ReplayGuard(settings.sender_hash_key, settings.webhook_dedup_hours * 3600.0),
    )
    on_erasure(made.senders.forget)
    return made


def address_key(request: Request) -> str:
    """A keyed hash of the client's address. Behind a reverse proxy, Sanic's own proxy settings
    (SANIC_PROXIES_COUNT, SANIC_REAL_IP_HEADER, SANIC_FORWARDED_SECRET) make remote_addr the client's;
    without them it is empty and the peer address is all we can trust."""
    address = request.remote_addr or request.ip or "unknown"
    return pseudonymise("address", address, get_settings().sender_hash_key)


async def conversation_language(app: Optional[Sanic], sender_id: str) -> str:
    """The conversation's `language` slot, or English when there is no conversation (or no answer in time)."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return DEFAULT_LANGUAGE
    try:
        tracker = await asyncio.wait_for(store.retrieve(sender_id), LANGUAGE_LOOKUP_SECONDS)
    except Exception as error:  # noqa: BLE001 - a flood reply in English beats none
        logger.warning("Conversation language unavailable: %s", type(error).__name__)
        return DEFAULT_LANGUAGE
    language = tracker.get_slot(SLOT_LANGUAGE) if tracker is not None else None
    return language if isinstance(language, str) and is_supported(language) else DEFAULT_LANGUAGE


async def slow_down_text(app: Optional[Sanic], sender_id: Optional[str]) -> str:
    language = await conversation_language(app, sender_id) if sender_id else DEFAULT_LANGUAGE
    return translate(SLOW_DOWN, language)


def limit_request_size(blueprint: Blueprint) -> None:
    """Caps request bodies for the whole server at MAX_REQUEST_BYTES (Sanic's default is 100 MB). Sanic
    compares Content-Length with the cap before reading the body, and counts chunked bodies as they
    arrive, answering 413 either way. Each new connection reads the cap, so setting it before the server
    starts is enough. Both hooks are server-wide, whatever blueprint carries them, and Sanic would run each
    copy on every request: register them once per server. The Rasa process does so in the process guard
    (bot.channels.process_guard), the input channel that is always in credentials.yml."""

    @blueprint.listener("before_server_start")
    async def cap_request_size(app: Sanic, _loop: Any) -> None:
        app.config.REQUEST_MAX_SIZE = get_settings().max_request_bytes

    @blueprint.signal("http.lifecycle.request")
    async def refuse_unreadable_length(request: Request) -> None:
        # Sanic reads Content-Length with int() after this signal and outside its error handling:
        # "abc" would be a 500, "-5" would leave the connection waiting for a body that never comes.
        length = request.headers.get("content-length")
        if length is not None and not (length.strip().isascii() and length.strip().isdigit()):
            raise InvalidUsage("Content-Length must be a number of bytes.")
