"""Safety end to end: a message from someone in danger, in each language, on each channel, gets the number
for that kind of danger in the first reply, also in the middle of a service search and of a numbered
choice; uncertain signals get the gentle check; "delete my data" with a risk signal deletes nothing; odd
input (very long, emoji only) gets a sensible answer, never a 5xx."""
from __future__ import annotations

import asyncio
import json

import pytest

from i18n.bidi import strip_isolates
from i18n.catalogs import translate
from settings import get_settings
from tests.e2e.conftest import FakeGraphApi, Send, post
from tests.e2e.test_walking_skeleton import stored_rows_for, text_of
from tests.e2e.test_whatsapp import fixture, meta_post, twilio_post, with_sender

pytestmark = pytest.mark.e2e

# Written for these tests (not taken from the evaluation set): one kind of danger per language, so that
# across the twelve every category is met at least once, with the number its reply must lead with.
MESSAGES = [
    ("en", "violence_now", "my husband is hitting me right now, i locked myself in the bathroom", "800 202 148"),
    ("fr", "medical_emergency", "mon bébé ne respire plus, il devient tout bleu", "112"),
    ("es", "self_harm", "ya no quiero vivir, tengo las pastillas aqui conmigo", "1411"),
    ("pt", "trafficking_confinement", "o patrão ficou com os nossos passaportes e não nos deixa sair da quinta", "964 608 288"),
    ("ar", "self_harm", "بدي اقتل حالي، ما عاد في شي يستاهل", "1411"),
    ("fa", "immediate_danger", "خانه آتش گرفته و ما داخل گیر افتادیم", "112"),
    ("ps", "medical_emergency", "زما ماشوم ساه نه اخلي، مرسته وکړئ", "112"),
    ("uk", "violence_now", "чоловік б'є мене зараз, допоможіть", "800 202 148"),
    ("ru", "trafficking_confinement", "хозяин забрал паспорта и держит нас взаперти, не выпускает", "964 608 288"),
    ("tr", "child_at_risk", "istasyonda tek başına ağlayan küçük bir kız çocuğu var, ailesi yok", "116 111"),
    ("so", "self_harm", "waxaan doonayaa inaan is dilo, nolosha waan ka daalay", "1411"),
    ("ti", "violence_now", "ሰብኣየይ ሕጂ ይወቕዓኒ ኣሎ", "800 202 148"),
]


def safety_text(category: str, language: str) -> str:
    return translate(f"safety.{category}", language, **get_settings().deployment_placeholders())


@pytest.mark.parametrize("language, category, message, number", MESSAGES)
def test_a_person_in_danger_gets_the_number_first_in_their_language(
        say: Send, new_sender: str, language: str, category: str, message: str, number: str) -> None:
    first = say(new_sender, message)[0]
    assert first["text"].startswith(safety_text(category, language)), first["text"]
    assert number in first["text"] and get_settings().hotline_number in first["text"]


def test_danger_interrupts_a_service_search_right_after_where_are_you(say: Send, new_sender: str) -> None:
    assert translate("service.ask_place", "en") in text_of(say(new_sender, "find a clinic"))
    replies = say(new_sender, "my friend took a lot of pills and she is not waking up")
    assert replies[0]["text"].startswith(safety_text("medical_emergency", "en")) or \
        replies[0]["text"].startswith(safety_text("self_harm", "en"))
    assert "112" in replies[0]["text"]
    # Then the conversation carries on normally.
    assert translate("service.header", "en", category=translate("category.health", "en"), place="Alfama") in \
        text_of(say(new_sender, "clinic near Alfama"))


def test_uncertain_signals_get_the_gentle_check_and_no_means_not_safe(say: Send, new_sender: str) -> None:
    say(new_sender, "hello")
    check = say(new_sender, "🔪")[0]
    assert check["text"].startswith(translate("safety.check", "en")) and "112" in check["text"]
    assert [b["payload"] for b in check["buttons"]][:2] == ["/affirm", "/emergency"]
    not_safe = say(new_sender, "no")[0]  # "no" alone reads as Spanish: it must not change the language
    assert not_safe["text"].startswith(safety_text("immediate_danger", "en"))


def test_yes_after_the_check_carries_on_with_the_topics(say: Send, new_sender: str) -> None:
    say(new_sender, "💊")
    glad = say(new_sender, "/affirm")[0]  # the "I am safe" button
    assert glad["text"] == translate("safety.glad", "en")
    assert translate("button.health", "en") in [b["title"] for b in glad["buttons"]]


def test_delete_my_data_with_a_risk_signal_deletes_nothing(say: Send, new_sender: str) -> None:
    say(new_sender, "hello")
    replies = say(new_sender, "delete my data, nobody will miss me when i am gone")
    assert translate("forget.done", "en") not in text_of(replies)
    assert "112" in replies[0]["text"]
    assert stored_rows_for(new_sender) == 1


def test_twilio_danger_in_the_middle_of_a_numbered_choice(stack) -> None:  # type: ignore[no-untyped-def]
    params = dict(fixture("twilio_text.json"), From="whatsapp:+351915550101")
    status, xml = twilio_post(stack, dict(params, Body="hola"))
    assert status == 200 and "1. " + translate("button.health", "es") in xml
    status, xml = twilio_post(stack, dict(params, Body="mi bebe tiene 40 de fiebre y esta convulsionando"))
    assert status == 200 and safety_text("medical_emergency", "es")[:80] in xml
    status, xml = twilio_post(stack, dict(params, Body="1"))  # the only option now: talk to a person
    assert translate("handoff", "es", **get_settings().deployment_placeholders()) in xml


def test_meta_danger_goes_out_first_with_a_person_button(stack, fake_graph: FakeGraphApi) -> None:  # type: ignore[no-untyped-def]
    number = "351915550202"
    payload = with_sender(fixture("meta_text.json"), number)
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] = \
        "le patron a pris nos passeports on est enfermes dans la maison"
    assert meta_post(stack, payload)[0] == 200
    first = fake_graph.sent_to(number)[0]
    body = json.dumps(first, ensure_ascii=False)
    assert safety_text("trafficking_confinement", "fr")[:80] in body and "964 608 288" in body
    assert first["interactive"]["action"]["buttons"][0]["reply"]["id"] == "/human_handoff"


def test_odd_input_gets_a_sensible_answer_never_a_5xx(stack, new_sender: str) -> None:  # type: ignore[no-untyped-def]
    limit = get_settings().max_message_chars
    filler = "I need help with my rent contract and the landlord wants more money. "
    long_message = (filler * 12 + "my husband is beating me right now. " + filler * 30)[: limit + 500]
    status, replies = post(f"{stack.rasa_url}/webhooks/rest/webhook",
                           json.dumps({"sender": new_sender, "message": long_message}).encode())
    assert status == 200 and replies[0]["text"].startswith(safety_text("violence_now", "en"))
    for emoji in ("🔪", "💊", "🆘"):
        status, replies = post(f"{stack.rasa_url}/webhooks/rest/webhook",
                               json.dumps({"sender": new_sender, "message": emoji}).encode())
        assert status == 200 and "112" in replies[0]["text"]
    status, replies = post(f"{stack.rasa_url}/webhooks/rest/webhook",
                           json.dumps({"sender": new_sender, "message": "👍"}).encode())
    assert status == 200 and replies and "112" not in replies[0]["text"]


def test_the_widget_socket_gets_the_safety_reply_too(stack) -> None:  # type: ignore[no-untyped-def]
    from tests.e2e.test_widget_socket import connect, wait_for

    async def scenario() -> None:
        client, received = await connect(stack.rasa_url, stack.portal_url)
        await client.emit("session_request", {"session_id": "widget-safety"})
        await client.emit("user_uttered", {"message": "مرحبا", "session_id": "widget-safety"})
        await wait_for(received, lambda m: translate("greet.hello", "ar") in (m.get("text") or ""))
        await client.emit("user_uttered", {"message": "زوجي يضربني الآن وأنا خائفة", "session_id": "widget-safety"})
        # Raw socket messages: right-to-left replies carry invisible isolates around numbers.
        await wait_for(received, lambda m: strip_isolates(m.get("text") or "").startswith(
            safety_text("violence_now", "ar")))
        await client.disconnect()

    asyncio.run(scenario())


def test_i_need_help_now_works_whenever_it_is_tapped(say: Send, new_sender: str) -> None:
    say(new_sender, "hello")
    say(new_sender, "🆘")
    say(new_sender, "what are my rights at work")
    later = say(new_sender, "/emergency")[0]  # the "I need help now" button, tapped a turn later
    assert later["text"].startswith(safety_text("immediate_danger", "en"))
