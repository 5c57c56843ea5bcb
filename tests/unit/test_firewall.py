"""The firewall's second pass, piece by piece: log redaction, "/" payloads, coarse times, the purge
timer, private files, the process's start-up refusals (issue 17). The running-stack versions are in
tests/e2e/test_seizure_drill.py."""
from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import sqlite3
import stat
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Iterator

import pytest


CANARY_TEXT = "/ my name is Ana Silva, passport P1234567, Rua do Benformoso 12"


@pytest.fixture
def captured_log() -> Iterator[io.StringIO]:
    from privacy.log_redaction import install_log_redaction

    install_log_redaction()
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.DEBUG)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(level)


def test_a_message_in_flight_never_reaches_a_log_line_whoever_logs_it(captured_log: io.StringIO) -> None:
    from privacy.log_redaction import sensitive_values

    with sensitive_values(CANARY_TEXT, "whatsapp:+351912345678"):
        logging.getLogger("rasa.shared.nlu.interpreter").warning("Failed to parse '%s'", CANARY_TEXT)
        logging.getLogger("sanic.error").error(f"words: Benformoso, Silva; {{'text': '{CANARY_TEXT}'}}")
        try:
            raise ValueError(f"cannot read {CANARY_TEXT}")
        except ValueError:
            logging.getLogger("rasa.core.processor").exception("handling failed")
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn(f"odd message {CANARY_TEXT}", UserWarning, stacklevel=1)
    written = captured_log.getvalue()
    assert "Failed to parse" in written and "handling failed" in written and "odd message" in written
    for canary in ("Ana Silva", "Silva", "P1234567", "Benformoso", "351912345678"):
        assert canary not in written, canary


def test_phone_numbers_documents_and_coordinates_are_redacted_outside_a_message_too(captured_log: io.StringIO) -> None:
    logging.getLogger("anything").warning(
        "from +351 912 345 678 at 38.712345,-9.134567 doc P9876543 mail ana.silva@example.org")
    written = captured_log.getvalue()
    for canary in ("912 345 678", "38.712345", "-9.134567", "P9876543", "ana.silva@example.org"):
        assert canary not in written, canary
    assert written.startswith("from [redacted]")


def test_concurrent_conversations_do_not_share_what_they_hide(captured_log: io.StringIO) -> None:
    from privacy.log_redaction import sensitive_values

    async def conversation(secret: str, other: str) -> None:
        with sensitive_values(secret):
            await asyncio.sleep(0.01)
            logging.getLogger("rasa").info("saw %s and %s", secret, other)

    async def both() -> None:
        await asyncio.gather(conversation("Zorbulax", "Quimbelo"), conversation("Quimbelo", "Zorbulax"))

    asyncio.run(both())
    lines = [line for line in captured_log.getvalue().splitlines() if line.startswith("saw")]
    # Each task hides its own value only: the other's stays visible (it is not that task's user's).
    assert sorted(lines) == ["saw [redacted] and Quimbelo", "saw [redacted] and Zorbulax"]


@pytest.mark.parametrize("payload", [
    "/find_service",
    '/find_service{"place": "Alfama"}',
    '/find_service{"service_category": "health"}',
    '/change_language{"language": "fr"}',
    '/ask_legal_help{"topic": "asylum", "topic_view": "detail"}',
    "/human_handoff",
])
def test_the_payloads_our_buttons_offer_pass_unchanged(payload: str) -> None:
    from bot.channels.payload_guard import screen_payload

    assert screen_payload(payload) == payload


@pytest.mark.parametrize("typed, plain", [
    ('/find_service{"place":"Rua do Benformoso 12 3Esq Ana"}', 'find_service{"place":"Rua do Benformoso 12 3Esq Ana"}'),
    (CANARY_TEXT, CANARY_TEXT.removeprefix("/ ")),
    ('/find_service{"place": "Alfama", "name": "Ana"}', 'find_service{"place": "Alfama", "name": "Ana"}'),
    ('/greet{"language": ["fr"]}', 'greet{"language": ["fr"]}'),
    ("/not_an_intent", "not_an_intent"),
    ("//", "/nlu_fallback"),
])
def test_anything_else_that_starts_with_a_slash_is_plain_text(typed: str, plain: str) -> None:
    from bot.channels.payload_guard import screen_payload

    assert screen_payload(typed) == plain


def test_stored_times_are_coarsened_to_the_minute(tmp_path: Path) -> None:
    from privacy.conversation_store import SqlConversationStore
    from privacy.redaction import minimise_event

    exact = 1_765_000_123.456789
    for event in ({"event": "user", "timestamp": exact, "text": "hi"}, {"event": "bot", "timestamp": exact},
                  {"event": "slot", "name": "language", "value": "en", "timestamp": exact}):
        assert minimise_event(event)["timestamp"] == 1_765_000_080.0
    store = SqlConversationStore(f"sqlite:///{tmp_path / 'c.sqlite3'}", 1800, clock=lambda: exact)
    store.put("key", "[]")
    with sqlite3.connect(tmp_path / "c.sqlite3") as connection:
        assert connection.execute("SELECT updated_at FROM conversation").fetchone()[0] == 1_765_000_140.0


def test_expired_conversations_are_purged_on_a_timer_and_at_start_without_any_new_message(tmp_path: Path) -> None:
    from privacy.conversation_store import SqlConversationStore
    from privacy.purger import Purger

    now = [10_000.0]
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    store = SqlConversationStore(url, 60, clock=lambda: now[0])
    store.put("old", '[{"event": "user"}]')
    now[0] += 120
    # At start: what expired while the process was down.
    Purger(store, every_seconds=3600).start().stop()
    assert _rows(tmp_path / "c.sqlite3") == 0
    store.put("quiet", '[{"event": "user"}]')
    purger = Purger(store, every_seconds=0.05).start()
    now[0] += 120
    deadline = time.monotonic() + 5
    while _rows(tmp_path / "c.sqlite3") and time.monotonic() < deadline:
        time.sleep(0.05)
    purger.stop()
    assert _rows(tmp_path / "c.sqlite3") == 0


def _rows(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT COUNT(*) FROM conversation").fetchone()[0]


def test_an_erased_conversation_leaves_nothing_in_the_write_ahead_log(tmp_path: Path) -> None:
    from privacy.conversation_store import SqlConversationStore

    store = SqlConversationStore(f"sqlite:///{tmp_path / 'c.sqlite3'}", 1800)
    store.put("key", json.dumps([{"event": "slot", "name": "place", "value": "Quimbelo"}]))
    store.delete("key")
    written = b"".join(path.read_bytes() for path in tmp_path.iterdir() if path.is_file())
    assert b"Quimbelo" not in written


def test_a_failing_store_keeps_nothing_elsewhere_and_raises_nothing(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONVERSATION_STORE_URL", f"sqlite:///{tmp_path / 'c.sqlite3'}")
    from rasa.core.tracker_store import AwaitableTrackerStore, FailSafeTrackerStore, InMemoryTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.channels.process_guard import close_fallbacks, uses_privacy_store
    from bot.privacy_store import PrivacyTrackerStore
    from settings import get_settings

    get_settings.cache_clear()
    ours = PrivacyTrackerStore(domain=Domain.empty())
    layered = FailSafeTrackerStore(AwaitableTrackerStore(ours))
    assert uses_privacy_store(layered)
    assert not uses_privacy_store(FailSafeTrackerStore(InMemoryTrackerStore(Domain.empty())))
    assert not uses_privacy_store(None)
    close_fallbacks(layered)

    def broken(*_: object) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(ours._store, "put", broken)
    tracker = DialogueStateTracker.from_events("sender", [UserUttered("my name is Quimbelo")])
    asyncio.run(layered.save(tracker))  # no exception reaches Rasa, so its fallback is never used
    assert asyncio.run(layered.fallback_tracker_store.retrieve("sender")) is None
    get_settings.cache_clear()


def test_rasa_crash_reporting_is_switched_off_in_our_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    import rasa.telemetry
    import sentry_sdk

    from bot.channels.process_guard import stop_error_reporting

    # A replica started without our environment: `rasa run` starts crash reporting before loading our code.
    monkeypatch.setenv("RASA_TELEMETRY_ENABLED", "true")
    rasa.telemetry.initialize_error_reporting()
    assert sentry_sdk.Hub.current.client is not None
    assert stop_error_reporting() is True
    assert sentry_sdk.Hub.current.client is None


def test_telemetry_is_off_in_any_process_that_reads_our_settings(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".config" / "rasa").mkdir(parents=True)
    (home / ".config" / "rasa" / "global.yml").write_text("metrics:\n  enabled: true\n  rasa_user_id: x\n")
    env = {key: value for key, value in os.environ.items() if key != "RASA_TELEMETRY_ENABLED"}
    env.update(HOME=str(home))
    script = ("import rasa.telemetry as t; before = t.is_telemetry_enabled(); import settings; "
              "print(before, t.is_telemetry_enabled())")
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert run.stdout.split() == ["True", "False"], run.stderr[-2000:]


def _settings(monkeypatch: pytest.MonkeyPatch, **env: str):  # type: ignore[no-untyped-def]
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from settings import Settings

    return Settings()


def test_debug_logging_is_refused_unless_allowed_on_purpose(monkeypatch: pytest.MonkeyPatch) -> None:
    from privacy.startup_checks import RefusedToStart, harden_process

    logger = logging.getLogger("rasa")
    level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        with pytest.raises(RefusedToStart) as refused:
            harden_process(_settings(monkeypatch))
        assert "DEBUG logging is on" in refused.value.reason and refused.value.code == 78
        harden_process(_settings(monkeypatch, ALLOW_DEBUG_LOGGING="true"))
    finally:
        logger.setLevel(level)


@pytest.mark.parametrize("keys, problem", [
    ({}, "SENDER_HASH_KEY must be set"),
    ({"SENDER_HASH_KEY": "short", "SESSION_SIGNING_KEY": "b" * 64, "INTERNAL_TOKEN": "c" * 64}, "SENDER_HASH_KEY"),
    ({"SENDER_HASH_KEY": "a" * 64, "SESSION_SIGNING_KEY": "a" * 64, "INTERNAL_TOKEN": "c" * 64}, "different"),
    ({"SENDER_HASH_KEY": "a" * 64, "SESSION_SIGNING_KEY": "b" * 64, "INTERNAL_TOKEN": ""}, "INTERNAL_TOKEN"),
])
def test_production_refuses_weak_or_shared_secrets(monkeypatch: pytest.MonkeyPatch, keys: dict[str, str],
                                                   problem: str) -> None:
    from privacy.startup_checks import secret_problems

    for variable in ("SENDER_HASH_KEY", "SESSION_SIGNING_KEY", "INTERNAL_TOKEN"):
        monkeypatch.delenv(variable, raising=False)
    settings = _settings(monkeypatch, DEPLOYMENT_MODE="production", **keys)
    assert any(problem in found for found in secret_problems(settings))
    strong = {"SENDER_HASH_KEY": "a" * 64, "SESSION_SIGNING_KEY": "b" * 64, "INTERNAL_TOKEN": "c" * 64}
    assert secret_problems(_settings(monkeypatch, DEPLOYMENT_MODE="production", **strong)) == []


def test_local_keys_are_private_from_the_first_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import settings as settings_module

    monkeypatch.setattr(settings_module, "STATE_DIR", tmp_path / "state")
    monkeypatch.delenv("SESSION_SIGNING_KEY", raising=False)
    first = settings_module._local_key("session_signing.key", "SESSION_SIGNING_KEY")
    key_file = tmp_path / "state" / "session_signing.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and len(first) == 64
    assert settings_module._local_key("session_signing.key", "SESSION_SIGNING_KEY") == first
    monkeypatch.setenv("DEPLOYMENT_MODE", "production")
    with pytest.raises(settings_module.InsecureConfiguration):
        settings_module._local_key("other.key", "SESSION_SIGNING_KEY")


def test_logs_are_private_rotated_and_kept_no_longer_than_conversations(tmp_path: Path) -> None:
    from launcher.log_sink import LogSink, remove_expired_logs

    reader, writer = os.pipe()
    sink = LogSink(os.fdopen(reader, "rb"), tmp_path, "rasa", retention_seconds=2.0).start()
    with os.fdopen(writer, "wb", buffering=0) as pipe:
        pipe.write(b"first line\n")
        time.sleep(1.2)  # past half the retention: the next line starts a new file
        pipe.write(b"second line\n")
    sink.join(timeout=5)
    current, previous = tmp_path / "rasa.log", tmp_path / "rasa.log.1"
    assert current.read_bytes() == b"second line\n" and previous.read_bytes() == b"first line\n"
    assert stat.S_IMODE(current.stat().st_mode) == 0o600
    assert remove_expired_logs(tmp_path, retention_seconds=2.0, now=time.time() + 10) == 2
    assert not list(tmp_path.glob("*.log*"))


def test_words_are_hidden_also_as_json_escapes_them_and_inside_inflected_forms(captured_log: io.StringIO) -> None:
    from privacy.log_redaction import sensitive_values

    message = "quero um médico perto de Zorbulaxова"
    with sensitive_values(message):
        # Rasa's structured DEBUG lines are JSON with non-ASCII letters escaped.
        logging.getLogger("rasa.core.processor").debug(json.dumps({"parse_data_text": message}))
        logging.getLogger("rasa.core.processor").debug("entity %s", "Zorbulax")
    written = captured_log.getvalue()
    assert "Zorbulax" not in written and "m\\u00e9dico" not in written and "perto" not in written
