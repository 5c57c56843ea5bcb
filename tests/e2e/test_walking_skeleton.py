"""The four-step conversation of the walking skeleton, over the REST channel, against the real processes,
in English, French and Arabic."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from i18n.catalogs import translate
from i18n.formatting import distance
from privacy.pseudonym import pseudonymise
from services_db.geo import haversine_m
from services_db.places import cached_gazetteer
from settings import get_settings
from tests.e2e.conftest import Send, conversation_db, post

pytestmark = pytest.mark.e2e

CONVERSATIONS = {
    "en": ("hi", "can I see a doctor without papers?", "find a clinic near Alfama", "delete my data"),
    "fr": ("bonjour", "est-ce que je peux voir un médecin sans papiers ?", "je cherche une clinique près d'Alfama",
           "supprime mes données"),
    "ar": ("مرحبا", "هل يمكنني رؤية طبيب بدون أوراق؟", "ابحث عن عيادة قرب ألفاما", "احذف بياناتي"),
}


def text_of(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def nearest_health_services(place: str, k: int = 3) -> list[tuple[dict, float]]:
    """Brute force over the sample file itself: the answer the bot must give."""
    settings = get_settings()
    centre = cached_gazetteer(settings.gazetteer_csv, settings.deployment_country).lookup(place)[0].point
    data = json.loads(Path(settings.sample_directory_json).read_text(encoding="utf-8"))
    from services_db.geo import Point

    from services_db.freshness import hide_before

    cutoff = hide_before(settings).isoformat()
    services = [s for org in data["organizations"] for s in org["services"]
                if s["category"] == "health" and (s.get("assured_date") or cutoff) >= cutoff]
    ranked = sorted(
        ((s, haversine_m(centre, Point(s["location"]["latitude"], s["location"]["longitude"]))) for s in services),
        key=lambda pair: pair[1],
    )
    return ranked[:k]


def stored_rows_for(sender: str) -> int:
    settings = get_settings()
    key = pseudonymise("store", pseudonymise("rest", sender, settings.sender_hash_key), settings.sender_hash_key)
    with sqlite3.connect(conversation_db()) as connection:
        return connection.execute("SELECT COUNT(*) FROM conversation WHERE key = ?", (key,)).fetchone()[0]


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_four_step_conversation(say: Send, new_sender: str, language: str) -> None:
    greeting, health_question, find_clinic, forget = CONVERSATIONS[language]

    replies = say(new_sender, greeting)
    assert translate("greet.hello", language) in text_of(replies)
    assert translate("greet.privacy", language) in text_of(replies)
    titles = [button["title"] for reply in replies for button in reply.get("buttons", [])]
    assert translate("button.health", language) in titles and len(titles) >= 5

    answer = text_of(say(new_sender, health_question))
    assert translate("topic.emergency_health.PT.answer", language, emergency_number="112") in answer
    assert translate("rights.applies.everyone", language) in answer
    assert "28" in answer  # Migrant Workers Convention art. 28
    assert translate("rights.offer_service", language) in answer

    results = text_of(say(new_sender, find_clinic))
    expected = nearest_health_services("Alfama")
    positions = [results.find(service["translations"].get(language, {}).get("name", service["name"])
                              if language != "en" else service["name"]) for service, _ in expected]
    assert all(position >= 0 for position in positions), (results, expected)
    assert positions == sorted(positions), "services must be listed nearest first"
    assert distance(expected[0][1], language) in results
    assert translate("service.flag.free", language) in results

    assert stored_rows_for(new_sender) == 1
    assert translate("forget.done", language) in text_of(say(new_sender, forget))
    assert stored_rows_for(new_sender) == 0


# (a greeting that opens the conversation in the language, the request to forget)
FORGET = {
    "en": ("hello there", "please delete my data"),
    "fr": ("bonjour", "supprime mes données"),
    "ar": ("مرحبا", "احذف بياناتي"),
    "es": ("hola buenos dias", "borra mis datos por favor"),
    "pt": ("olá bom dia", "apaga os meus dados por favor"),
    "fa": ("سلام، خوبی؟", "اطلاعات منو پاک کن"),
    "ps": ("سلام ورور، څنګه یې", "زما معلومات پاک کړه"),
    "uk": ("привіт, добрий день", "видаліть мої дані, будь ласка"),
    "ru": ("здравствуйте", "удалите мои данные пожалуйста"),
    "tr": ("merhaba iyi günler", "lütfen verilerimi sil"),
    "so": ("asc walaal", "fadlan tirtir xogtayda"),
}


@pytest.mark.parametrize("language", sorted(FORGET))
def test_erasure_in_every_language(say: Send, new_sender: str, language: str) -> None:
    greeting, forget = FORGET[language]
    say(new_sender, greeting)
    assert stored_rows_for(new_sender) == 1
    reply = text_of(say(new_sender, forget))
    assert translate("forget.done", language) in reply
    assert stored_rows_for(new_sender) == 0


def test_reply_language_follows_the_message_language(say: Send, new_sender: str) -> None:
    assert translate("greet.hello", "ar") in text_of(say(new_sender, "مرحبا"))
    # A short, ambiguous message keeps the conversation's language.
    assert translate("fallback", "ar") in text_of(say(new_sender, "👋"))
    french = text_of(say(new_sender, "est-ce que mes enfants peuvent aller à l'école sans papiers ?"))
    assert translate("topic.school.PT.answer", "fr") in french


@pytest.mark.parametrize("message", ["", "   ", "x" * 10_000, "😀😀😀"], ids=["empty", "spaces", "10k-chars", "emoji"])
def test_odd_messages_get_a_clear_reply(say: Send, new_sender: str, message: str) -> None:
    replies = say(new_sender, message)
    assert text_of(replies).strip(), "every message gets an answer"
    assert "Traceback" not in text_of(replies)


def test_a_forged_session_cannot_read_or_extend_a_conversation(stack, say: Send, new_sender: str) -> None:
    say(new_sender, "bonjour")
    nonce = new_sender.split(".")[0]
    for forged in (f"{nonce}.{'0' * 32}", nonce, "+351912345678", new_sender + "x"):
        status, body = post(f"{stack.rasa_url}/webhooks/rest/webhook",
                            json.dumps({"sender": forged, "message": "supprime mes données"}).encode())
        assert status == 403 and "session" in body
    assert stored_rows_for(new_sender) == 1  # the real conversation was neither read nor erased


def test_malformed_json_gets_a_4xx_and_the_server_keeps_serving(stack, say: Send, new_sender: str) -> None:
    status, body = post(f"{stack.rasa_url}/webhooks/rest/webhook", b"{this is not json")
    assert status == 400 and "JSON" in body and "Traceback" not in body
    status, body = post(f"{stack.rasa_url}/webhooks/rest/webhook", json.dumps({"message": "hi"}).encode())
    assert status == 400 and "sender" in body
    assert translate("greet.hello", "en") in text_of(say(new_sender, "hello"))


PARSE_SCRIPT = """
import asyncio, json, sys
from rasa.core.agent import Agent
agent = Agent.load(sys.argv[1])
for line in sys.stdin:
    print(json.dumps(asyncio.run(agent.parse_message(line.strip())), ensure_ascii=False), flush=True)
"""


def test_language_is_in_the_parse_output_of_the_nlu_component(stack) -> None:
    # In a separate process: TensorFlow changes process-wide numeric settings, which other tests
    # (fastText training) must not inherit.
    import subprocess
    import sys

    from launcher.training import subprocess_env

    texts = ["bonjour, je cherche un médecin", "أين أجد طعام", "hello", "ich brauche bitte einen Arzt für mein Kind"]
    run = subprocess.run([sys.executable, "-c", PARSE_SCRIPT, str(stack.model)], input="\n".join(texts),
                         capture_output=True, text=True, env=subprocess_env(), timeout=300, check=True)
    parsed = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert [p["language"]["code"] for p in parsed] == ["fr", "ar", "en", "other"]
    assert all(0.0 < p["language"]["confidence"] <= 1.0 for p in parsed)
    assert parsed[3]["intent"]["name"] == "nlu_fallback"
