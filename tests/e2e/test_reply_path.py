"""The reply path: the Rasa process renders every reply itself, so the bot keeps answering (greetings,
rights answers, service results, in every language) while the portal is stopped, and one message costs
at most one HTTP call between processes: the action call."""
from __future__ import annotations

import signal
import time
from typing import Iterator

import pytest

from i18n.catalogs import translate
from knowledge.repository import choose_topic
from launcher.stack import Stack
from settings import get_settings
from tests.e2e.conftest import ActionCallCounter, Send
from tests.e2e.test_every_language import CONVERSATIONS
from tests.e2e.test_walking_skeleton import nearest_health_services, text_of

pytestmark = pytest.mark.e2e

# Before replies were rendered in process, a paused portal made every message wait 60 s and fail.
SLOWEST_REPLY_SECONDS = 20


@pytest.fixture
def portal_stopped(stack: Stack) -> Iterator[None]:
    portal = stack.by_name["portal"]
    portal.send_signal(signal.SIGSTOP)
    try:
        yield
    finally:
        portal.send_signal(signal.SIGCONT)


def timed(say: Send, sender: str, message: str) -> str:
    started = time.monotonic()
    replies = text_of(say(sender, message))
    assert time.monotonic() - started < SLOWEST_REPLY_SECONDS, message
    return replies


@pytest.mark.parametrize("language", sorted(CONVERSATIONS))
def test_the_bot_answers_in_every_language_with_the_portal_stopped(
        portal_stopped: None, say: Send, new_sender: str, action_calls: ActionCallCounter, language: str) -> None:
    greeting, search = CONVERSATIONS[language]
    calls = action_calls.calls
    assert translate("greet.hello", language) in timed(say, new_sender, greeting)
    assert action_calls.calls - calls <= 1

    # A rights answer (from the topic button) with its sources, in the conversation's language.
    calls = action_calls.calls
    answer = timed(say, new_sender, "/ask_health")
    topic = choose_topic("ask_health")
    assert topic is not None
    key = topic.version_for(get_settings().deployment_country).key
    assert translate(f"{key}.answer", language)[:30] in answer, answer
    assert translate("rights.draft", language) in answer  # nobody signed the test database's ledger
    assert action_calls.calls - calls == 1

    # Services near a place: the listings come from the action server, rendered here.
    calls = action_calls.calls
    results = timed(say, new_sender, search)
    nearest, _ = nearest_health_services("Alfama", k=1)[0]
    name = nearest["name"] if language == "en" else nearest["translations"].get(language, {}).get("name", nearest["name"])
    assert name in results and translate("category.health", language) in results, results
    assert action_calls.calls - calls == 1
