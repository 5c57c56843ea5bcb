"""Keeps from each conversation event only what the dialogue needs: intents, our own dictionary
entities (coarse place names, categories, languages), slots, action names. Never the user's text,
the bot's rendered text, client metadata or timestamps finer than the session needs."""
from __future__ import annotations

from typing import Any

from privacy.conversation_store import coarse_time

ERASE_ACTION = "action_forget_me"
_KEPT_PARSE_KEYS = ("intent", "entities", "language")
_KEPT_ENTITY_KEYS = ("entity", "value", "start", "end", "extractor", "confidence_entity")


def _coarse(timestamp: Any) -> Any:
    return coarse_time(timestamp) if isinstance(timestamp, (int, float)) else None


def minimise_event(event: dict[str, Any]) -> dict[str, Any]:
    kind = event.get("event")
    if kind == "user":
        parse = event.get("parse_data") or {}
        return {
            "event": "user",
            "timestamp": _coarse(event.get("timestamp")),
            "text": None,
            "parse_data": {
                **{key: parse[key] for key in _KEPT_PARSE_KEYS if key in parse},
                "entities": [
                    {key: entity[key] for key in _KEPT_ENTITY_KEYS if key in entity}
                    for entity in parse.get("entities", [])
                ],
            },
            "input_channel": event.get("input_channel"),
        }
    if kind == "bot":
        utter_action = (event.get("metadata") or {}).get("utter_action")
        return {"event": "bot", "timestamp": _coarse(event.get("timestamp")), "text": None,
                "metadata": {"utter_action": utter_action} if utter_action else {}}
    minimal = dict(event)
    minimal.pop("metadata", None)
    if "timestamp" in minimal:
        minimal["timestamp"] = _coarse(minimal["timestamp"])
    return minimal


def asks_for_erasure(events: list[dict[str, Any]]) -> bool:
    return any(e.get("event") == "action" and e.get("name") == ERASE_ACTION for e in events)


def current_session(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events from the last session start on: earlier sessions are never kept."""
    starts = [i for i, e in enumerate(events) if e.get("event") == "session_started"]
    if not starts:
        return events
    # Rasa writes `action_session_start` just before `session_started`; keep it so the tracker stays valid.
    first = starts[-1]
    if first > 0 and events[first - 1].get("name") == "action_session_start":
        first -= 1
    return events[first:]


def bounded_window(
    events: list[dict[str, Any]], slot_values: dict[str, Any], keep_user_turns: int
) -> list[dict[str, Any]]:
    """The session start, a snapshot of the slots, and only the last `keep_user_turns` exchanges.

    Rasa replays every stored event on every message; keeping a bounded window makes the cost of a
    message the same at turn 200 as at turn 1, and keeps less about the user. Our rules look back one
    turn and our slots do not influence the dialogue, so nothing older is needed.
    """
    user_positions = [i for i, e in enumerate(events) if e.get("event") == "user"]
    if len(user_positions) <= keep_user_turns:
        return events
    first_kept_user = user_positions[-keep_user_turns]
    cut = first_kept_user
    if cut > 0 and events[cut - 1].get("name") == "action_listen":
        cut -= 1
    starts = [i for i, e in enumerate(events[:cut]) if e.get("event") == "session_started"]
    prefix = events[: starts[-1] + 1] if starts else []
    timestamp = events[first_kept_user].get("timestamp")
    snapshot = [
        {"event": "slot", "name": name, "value": value, "timestamp": timestamp}
        for name, value in slot_values.items()
        if value is not None
    ]
    return prefix + snapshot + events[cut:]
