"""Not a chat channel: the Rasa process's own checks, hooked where Rasa lets project code run first.

Rasa builds input channels from credentials.yml before it loads anything else of ours, so this one's
`from_credentials` is the earliest moment to: redact logs, make files private, refuse DEBUG logging
and weak production secrets (privacy.startup_checks), and switch off the crash reporting that Rasa
starts in every process whatever RASA_TELEMETRY_ENABLED says (rasa.telemetry.initialize_error_reporting).

Its blueprint also carries the server-wide request-size cap (bot.channels.abuse.limit_request_size): once
for the whole server, whichever chat channels are enabled, since Sanic would run every registered copy of
it on every request.

Once the model is loaded it checks the conversation store: if bot.privacy_store could not be
imported, Rasa silently falls back to its in-memory store, which keeps everyone's words and ignores
erasure. The process stops rather than run like that. GET /webhooks/guard/ says what was checked."""
from __future__ import annotations

import logging
import os
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.abuse import limit_request_size
from privacy.startup_checks import harden_process
from settings import get_settings

logger = logging.getLogger(__name__)
# EX_CONFIG: a supervisor should not restart a process into the same unsafe configuration.
UNSAFE_CONFIGURATION_EXIT = 78


def stop_error_reporting() -> bool:
    """Unbinds the Sentry client Rasa set up at start; True if there was one."""
    import sentry_sdk

    hub = sentry_sdk.Hub.current
    client = hub.client
    if client is None:
        return False
    hub.bind_client(None)
    client.close(timeout=0)
    return True


def store_chain(store: Any) -> list[Any]:
    """The tracker store and every store it wraps (Rasa wraps ours in fail-safe and awaitable layers)."""
    chain = []
    while store is not None and len(chain) < 10:
        chain.append(store)
        store = getattr(store, "_tracker_store", None)
    return chain


def uses_privacy_store(store: Any) -> bool:
    from bot.privacy_store import PrivacyTrackerStore
    from rasa.core.tracker_store import AwaitableTrackerStore, FailSafeTrackerStore

    chain = store_chain(store)
    return bool(chain) and isinstance(chain[-1], PrivacyTrackerStore) and all(
        isinstance(layer, (AwaitableTrackerStore, FailSafeTrackerStore)) for layer in chain[:-1])


def close_fallbacks(store: Any) -> None:
    """Rasa's fail-safe layer saves to an in-memory store when ours fails: give it one that keeps nothing."""
    from bot.privacy_store import KeepNothingTrackerStore
    from rasa.core.tracker_store import FailSafeTrackerStore

    for layer in store_chain(store):
        if isinstance(layer, FailSafeTrackerStore):
            layer._fallback_tracker_store = KeepNothingTrackerStore(layer.domain)


class ProcessGuard(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "guard"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "ProcessGuard":
        harden_process(get_settings())
        # The earliest hook of `rasa run` is also where our adapters to Rasa's internals go in, before the
        # model loads and any action is called.
        from bot import schema_validation

        schema_validation.install()
        return cls(error_reporting_stopped=stop_error_reporting())

    def __init__(self, error_reporting_stopped: bool = False) -> None:
        self._status: dict[str, Any] = {"error_reporting_stopped": error_reporting_stopped}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        guard = Blueprint("process_guard", __name__)
        limit_request_size(guard)  # every chat endpoint's 413, registered once for the server

        @guard.listener("after_server_start")
        async def check_conversation_store(app: Sanic, _: Any) -> None:
            agent = getattr(app.ctx, "agent", None)
            store = getattr(agent, "tracker_store", None)
            if not uses_privacy_store(store):
                names = " > ".join(type(layer).__name__ for layer in store_chain(store)) or "none"
                logger.critical("Refusing to serve: the conversation store is %s, not bot.privacy_store."
                                " Check endpoints.yml and that the project is installed (scripts/setup.sh).", names)
                logging.shutdown()
                os._exit(UNSAFE_CONFIGURATION_EXIT)  # noqa: SLF001 - no request may be served like this
            close_fallbacks(store)
            self._status["conversation_store"] = "privacy"

        @guard.route("/", methods=["GET"])
        async def status(_: Request) -> HTTPResponse:
            import rasa.telemetry

            from bot import schema_validation
            from rasa.core.actions.action import RemoteAction

            return response.json({**self._status, "telemetry": rasa.telemetry.is_telemetry_enabled(),
                                  "schema_validators_built_once": RemoteAction._validate_action_result
                                  is schema_validation.validate_action_result})

        return guard
