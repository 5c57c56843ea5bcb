from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.channels.rest import EMPTY_MESSAGE_PAYLOAD, BadRequest, parse_body
from privacy.conversation_store import SqlConversationStore
from privacy.pseudonym import pseudonymise
from privacy.redaction import asks_for_erasure, current_session, minimise_event


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_pseudonyms_are_stable_keyed_and_hide_the_number() -> None:
    first = pseudonymise("whatsapp", "+351912345678", b"key-1")
    assert first == pseudonymise("whatsapp", "+351912345678", b"key-1")
    assert first != pseudonymise("whatsapp", "+351912345678", b"key-2")
    assert "351912345678" not in first


def test_user_text_and_bot_text_are_never_kept() -> None:
    user = {"event": "user", "text": "my name is Amina, passport X123", "timestamp": 1.0,
            "metadata": {"phone": "+351912345678"},
            "parse_data": {"text": "my name is Amina", "intent": {"name": "greet", "confidence": 0.9},
                           "entities": [{"entity": "place", "value": "Alfama", "start": 0, "end": 6,
                                         "text": "alfama"}],
                           "intent_ranking": [{"name": "greet"}], "language": {"code": "en", "confidence": 0.9}}}
    bot = {"event": "bot", "text": "Hello Amina", "data": {"buttons": []}, "metadata": {"utter_action": "utter_greet"}}
    kept = json.dumps([minimise_event(user), minimise_event(bot)])
    for secret in ("Amina", "X123", "+351912345678"):
        assert secret not in kept
    assert "greet" in kept and "Alfama" in kept  # the intent and the coarse place the dialogue needs


def test_only_the_current_session_is_kept_and_forget_is_detected() -> None:
    events = [{"event": "action", "name": "action_session_start"}, {"event": "session_started"},
              {"event": "user"}, {"event": "action", "name": "action_session_start"}, {"event": "session_started"},
              {"event": "user"}]
    assert current_session(events) == events[3:]
    assert asks_for_erasure([{"event": "action", "name": "action_forget_me"}])
    assert not asks_for_erasure(events)


def test_conversations_expire_after_the_idle_limit_and_are_purged(tmp_path: Path) -> None:
    clock = Clock()
    store = SqlConversationStore(f"sqlite:///{tmp_path / 'c.sqlite3'}", ttl_seconds=1800, clock=clock)
    store.put("k", "[1]")
    clock.now += 1799
    assert store.get("k") == "[1]"
    clock.now += 62  # last activity is kept to the minute, rounded up: gone within a minute of the limit
    assert store.get("k") is None and store.keys() == []
    assert store.purge_expired() == 1
    store.close()
    assert b"[1]" not in (tmp_path / "c.sqlite3").read_bytes()


def test_erasure_removes_the_conversation_at_once(tmp_path: Path) -> None:
    store = SqlConversationStore(f"sqlite:///{tmp_path / 'c.sqlite3'}", ttl_seconds=1800)
    store.put("k", "[1]")
    store.delete("k")
    assert store.get("k") is None


@pytest.mark.parametrize(
    "body, problem",
    [(b"{not json", "JSON"), (b"[1, 2]", "object"), (b'{"message": "hi"}', "sender"),
     (b'{"sender": "", "message": "hi"}', "sender"), (b'{"sender": "a", "message": 5}', "message")],
)
def test_rest_channel_rejects_malformed_bodies_with_a_clear_message(body: bytes, problem: str) -> None:
    with pytest.raises(BadRequest, match=problem):
        parse_body(body, 2000)


def test_rest_channel_caps_long_messages_and_answers_empty_ones() -> None:
    assert parse_body(json.dumps({"sender": "a", "message": "x" * 10_000}).encode(), 2000)[1] == "x" * 2000
    assert parse_body(b'{"sender": "a", "message": "   "}', 2000)[1] == EMPTY_MESSAGE_PAYLOAD


def test_window_keeps_the_session_start_a_slot_snapshot_and_the_last_turns() -> None:
    from privacy.redaction import bounded_window

    events = [{"event": "action", "name": "action_session_start"}, {"event": "session_started"},
              {"event": "action", "name": "action_listen"}]
    for turn in range(10):
        events += [{"event": "user", "turn": turn, "timestamp": float(turn)},
                   {"event": "slot", "name": "language", "value": "fr"},
                   {"event": "action", "name": "utter_greet"}, {"event": "action", "name": "action_listen"}]
    window = bounded_window(events, {"language": "fr", "place": None}, keep_user_turns=3)
    assert window[:2] == events[:2]
    assert window[2] == {"event": "slot", "name": "language", "value": "fr", "timestamp": 7.0}
    assert [e["turn"] for e in window if e["event"] == "user"] == [7, 8, 9]
    assert window[3] == {"event": "action", "name": "action_listen"}
    assert bounded_window(events[:7], {}, keep_user_turns=3) == events[:7]
