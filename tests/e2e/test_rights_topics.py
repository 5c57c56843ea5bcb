"""Every rights topic, in every language, through the running bot: the answer, who it applies to and
its legal basis, each message short enough for a phone."""
from __future__ import annotations

import json

import pytest

from i18n.catalogs import translate
from i18n.languages import SUPPORTED
from i18n.sources import legal_basis_key
from knowledge.repository import all_topics
from settings import get_settings
from tests.e2e.conftest import Send

pytestmark = pytest.mark.e2e


def applies_sentence(version, language: str) -> str:  # type: ignore[no-untyped-def]
    if version.applies_to == "everyone":
        return translate("rights.applies.everyone", language)
    if version.applies_to == "regular_status_only":
        return translate("rights.applies.regular", language)
    return translate("rights.applies.depends", language, condition=translate(f"{version.key}.condition", language))


@pytest.mark.parametrize("language", SUPPORTED)
def test_every_topic_is_answered_with_its_applicability_and_citation(say: Send, new_sender: str,
                                                                     language: str) -> None:
    placeholders = get_settings().deployment_placeholders()
    say(new_sender, "/change_language" + json.dumps({"language": language}))
    for topic in all_topics().values():
        version = topic.version_for(get_settings().deployment_country)
        replies = say(new_sender, f"/{topic.intents[0]}" + json.dumps({"topic": topic.id}))
        text = "\n".join(reply.get("text", "") for reply in replies)
        assert translate(f"{version.key}.answer", language, **placeholders) in text, (language, topic.id)
        assert applies_sentence(version, language) in text
        assert translate(legal_basis_key(version.legal_basis[0].cite), language) in text
        assert translate("rights.draft", language) in text  # nobody signed these in the test stack
        if version.has_risk:
            risk = translate(f"{version.key}.risk", language, **placeholders)
            assert translate("rights.risk", language, risk=risk) in text, (language, topic.id)
        assert all(len(reply.get("text", "")) <= 1024 for reply in replies)


def test_a_question_we_do_not_cover_gets_an_honest_answer_a_person_and_the_topics(say: Send, new_sender: str) -> None:
    replies = say(new_sender, "what is the best football team in europe")
    text = "\n".join(reply.get("text", "") for reply in replies)
    assert translate("out_of_scope", "en") in text or translate("fallback", "en") in text
    assert get_settings().hotline_number in text
    assert any(button["payload"] == "/ask_health" for reply in replies for button in reply.get("buttons", []))


@pytest.mark.parametrize("language, message, topic", [
    ("en", "how can i ask for asylum here", "asylum"),
    ("ar", "كيف اقدم طلب لجوء في البرتغال", "asylum"),
    ("pt", "fui burlado, paguei um agendamento na aima a um senhor", "scams"),
])
def test_a_question_that_names_a_topic_gets_that_topic(say: Send, new_sender: str, language: str, message: str,
                                                       topic: str) -> None:
    version = all_topics()[topic].version_for(get_settings().deployment_country)
    text = "\n".join(reply.get("text", "") for reply in say(new_sender, message))
    placeholders = get_settings().deployment_placeholders()
    assert translate(f"{version.key}.answer", language, **placeholders) in text, (message, text)
