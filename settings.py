"""Every setting the project reads, from environment variables, in one place (see .env.example).

Defaults are the embedded single-machine setup used by `make run` and the tests.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent
STATE_DIR = Path(os.environ.get("STATE_DIR", ROOT / "var"))

# Rasa reports usage and crashes to its vendor unless this is "false" (rasa.telemetry reads it at every
# event). Set here, not only by the launcher, so that every process that reads our settings (a replica
# started by hand, a container entry point) keeps it off; a deployment cannot turn it back on.
os.environ["RASA_TELEMETRY_ENABLED"] = "false"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


# A key shorter than this can be guessed, and with it every WhatsApp pseudonym reversed by trying all
# mobile numbers: `openssl rand -hex 32` gives 64 characters.
MIN_KEY_CHARS = 32


class InsecureConfiguration(RuntimeError):
    """Production mode refuses to start with this configuration; the message says what to set."""


def _local_key(name: str, variable: str) -> bytes:
    """A key from the environment, else (development only) a random one kept in the state directory,
    created 0600 from the first byte, so that pseudonyms and sessions survive restarts."""
    configured = os.environ.get(variable, "").strip()
    if configured:
        return configured.encode()
    if _env("DEPLOYMENT_MODE", "development").lower() == "production":
        raise InsecureConfiguration(f"{variable} is not set: production mode will not make one up.")
    key_file = STATE_DIR / name
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip().encode()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_hex(32))
    return key_file.read_text().strip().encode()


@lru_cache(maxsize=1)
def _sender_hash_key() -> bytes:
    """The key that turns channel ids into pseudonyms. Read once per process: every message needs it."""
    return _local_key("sender_hash.key", "SENDER_HASH_KEY")


@lru_cache(maxsize=1)
def _session_signing_key() -> bytes:
    """The key that signs REST session ids: not the pseudonym key, so that a leaked session key does not
    also reverse pseudonyms."""
    return _local_key("session_signing.key", "SESSION_SIGNING_KEY")


@dataclass(frozen=True)
class Settings:
    directory_db_url: str = field(
        default_factory=lambda: _env("DIRECTORY_DB_URL", f"sqlite:///{STATE_DIR / 'directory.sqlite3'}")
    )
    conversation_store_url: str = field(
        default_factory=lambda: _env("CONVERSATION_STORE_URL", f"sqlite:///{STATE_DIR / 'conversations.sqlite3'}")
    )
    conversation_ttl_minutes: int = field(default_factory=lambda: int(_env("CONVERSATION_TTL_MINUTES", "30")))
    gazetteer_csv: str = field(
        default_factory=lambda: _env("GAZETTEER_CSV", str(ROOT / "services_db" / "sample" / "lisbon_places.csv"))
    )
    sample_directory_json: str = field(
        default_factory=lambda: _env("SAMPLE_DIRECTORY_JSON", str(ROOT / "services_db" / "sample" / "lisbon.json"))
    )
    deployment_country: str = field(default_factory=lambda: _env("DEPLOYMENT_COUNTRY", "PT"))
    search_radius_km: float = field(default_factory=lambda: float(_env("SEARCH_RADIUS_KM", "25")))
    results_count: int = field(default_factory=lambda: int(_env("RESULTS_COUNT", "3")))
    # A listing not confirmed for this many days is flagged for re-checking; after the second, not offered.
    freshness_flag_days: int = field(default_factory=lambda: int(_env("FRESHNESS_FLAG_DAYS", "180")))
    freshness_hide_days: int = field(default_factory=lambda: int(_env("FRESHNESS_HIDE_DAYS", "400")))
    # A rights topic is due for a lawyer's review this many days after its content was last checked.
    review_interval_days: int = field(default_factory=lambda: int(_env("REVIEW_INTERVAL_DAYS", "180")))
    emergency_number: str = field(default_factory=lambda: _env("EMERGENCY_NUMBER", "112"))
    social_emergency_number: str = field(default_factory=lambda: _env("SOCIAL_EMERGENCY_NUMBER", "144"))
    hotline_name: str = field(default_factory=lambda: _env("HOTLINE_NAME", "Migrant Helpline (sample)"))
    hotline_number: str = field(default_factory=lambda: _env("HOTLINE_NUMBER", "+351 210 000 000"))
    hotline_hours: str = field(default_factory=lambda: _env("HOTLINE_HOURS", "9-18"))
    health_line_number: str = field(default_factory=lambda: _env("HEALTH_LINE_NUMBER", "808 24 24 24"))
    violence_line_number: str = field(default_factory=lambda: _env("VIOLENCE_LINE_NUMBER", "800 202 148"))
    child_line_number: str = field(default_factory=lambda: _env("CHILD_LINE_NUMBER", "116 111"))
    victim_line_number: str = field(default_factory=lambda: _env("VICTIM_LINE_NUMBER", "116 006"))
    # The lines the safety replies give, one per kind of danger (knowledge/safety_sources.yml says where
    # each Portuguese default and its hours were checked).
    suicide_line_number: str = field(default_factory=lambda: _env("SUICIDE_LINE_NUMBER", "1411"))
    violence_sms_number: str = field(default_factory=lambda: _env("VIOLENCE_SMS_NUMBER", "3060"))
    trafficking_line_number: str = field(default_factory=lambda: _env("TRAFFICKING_LINE_NUMBER", "964 608 288"))
    victim_line_hours: str = field(default_factory=lambda: _env("VICTIM_LINE_HOURS", "8:00–23:00"))
    child_line_hours: str = field(default_factory=lambda: _env("CHILD_LINE_HOURS", "9:00–19:00"))
    max_message_chars: int = field(default_factory=lambda: int(_env("MAX_MESSAGE_CHARS", "2000")))
    host: str = field(default_factory=lambda: _env("BIND_HOST", "127.0.0.1"))
    # Shared by the Rasa server, the action server and the NLG endpoint; the launcher makes one per run
    # when it is not set.
    internal_token: str = field(default_factory=lambda: _env("INTERNAL_TOKEN", ""))
    # Rasa's HTTP API (/model/parse, /conversations/...) stays off unless this is set.
    rasa_jwt_secret: str = field(default_factory=lambda: _env("RASA_JWT_SECRET", ""))
    rasa_port: int = field(default_factory=lambda: int(_env("RASA_PORT", "5005")))
    # The Rasa server's address as browsers see it (for the widget's demo page); default: this host.
    public_rasa_url: str = field(default_factory=lambda: _env("PUBLIC_RASA_URL", ""))
    action_port: int = field(default_factory=lambda: int(_env("ACTION_PORT", "5055")))
    portal_port: int = field(default_factory=lambda: int(_env("PORTAL_PORT", "8080")))
    # The staff portal's address as staff browsers see it (https://portal.example.org); a form posted from
    # any other origin is refused. Empty: the Host the request was sent to.
    portal_public_url: str = field(default_factory=lambda: _env("PORTAL_PUBLIC_URL", ""))
    # Staff session cookies carry the Secure flag (HTTPS only) unless this is false; browsers still accept
    # Secure cookies from http://localhost, so local runs work with the default.
    portal_cookie_secure: bool = field(
        default_factory=lambda: _env("PORTAL_COOKIE_SECURE", "true").lower() not in ("0", "false", "no"))
    # The header the portal's reverse proxy sets with the client's address (X-Forwarded-For, X-Real-IP),
    # for the login throttle. Empty: the connection's own address (no proxy, or an untrusted one).
    portal_trusted_proxy_header: str = field(default_factory=lambda: _env("PORTAL_TRUSTED_PROXY_HEADER", ""))
    # Where the hotline console asks the Rasa server to read a question (loopback, INTERNAL_TOKEN).
    rasa_internal_url: str = field(default_factory=lambda: _env("RASA_INTERNAL_URL", ""))

    # --- Hardening (docs/privacy.md) ---
    # "production": refuse to start without strong, distinct SENDER_HASH_KEY, SESSION_SIGNING_KEY and
    # INTERNAL_TOKEN. "development" (local runs, tests) makes local keys instead.
    deployment_mode: str = field(default_factory=lambda: _env("DEPLOYMENT_MODE", "development").lower())
    # INFO keeps no message content; DEBUG is refused unless ALLOW_DEBUG_LOGGING=true (the redaction
    # filter still runs, but DEBUG lines of Rasa carry whole parse results).
    log_level: str = field(default_factory=lambda: _env("LOG_LEVEL", "INFO").upper())
    allow_debug_logging: bool = field(
        default_factory=lambda: _env("ALLOW_DEBUG_LOGGING", "false").lower() in ("1", "true", "yes"))
    # A REST session id stops working this many hours after it was issued.
    rest_session_hours: float = field(default_factory=lambda: float(_env("REST_SESSION_HOURS", "24")))
    # Request bodies larger than this are refused (413) before they are read: the biggest honest chat
    # request (a 2,000-character message, a WhatsApp webhook batch) is a few kilobytes.
    max_request_bytes: int = field(default_factory=lambda: int(_env("MAX_REQUEST_BYTES", "65536")))
    # Messages per minute one conversation may send, and requests per minute from one network address
    # (all conversations behind it); beyond them the user is asked, in their language, to wait.
    rate_limit_sender_per_minute: int = field(
        default_factory=lambda: int(_env("RATE_LIMIT_SENDER_PER_MINUTE", "20")))
    rate_limit_address_per_minute: int = field(
        default_factory=lambda: int(_env("RATE_LIMIT_ADDRESS_PER_MINUTE", "300")))
    # A WhatsApp webhook whose message id was already seen within this many hours is not answered again.
    webhook_dedup_hours: float = field(default_factory=lambda: float(_env("WEBHOOK_DEDUP_HOURS", "24")))

    @property
    def production(self) -> bool:
        return self.deployment_mode == "production"

    @property
    def sender_hash_key(self) -> bytes:
        return _sender_hash_key()

    @property
    def session_signing_key(self) -> bytes:
        return _session_signing_key()

    @property
    def log_retention_minutes(self) -> int:
        """Logs are kept no longer than conversations."""
        return self.conversation_ttl_minutes

    def deployment_placeholders(self) -> dict[str, str]:
        """Values that messages may quote ({emergency_number}, ...): deployment facts, never code."""
        return {
            "emergency_number": self.emergency_number,
            "social_emergency_number": self.social_emergency_number,
            "hotline_name": self.hotline_name,
            "hotline_number": self.hotline_number,
            "hotline_hours": self.hotline_hours,
            "health_line_number": self.health_line_number,
            "violence_line_number": self.violence_line_number,
            "child_line_number": self.child_line_number,
            "victim_line_number": self.victim_line_number,
            "suicide_line_number": self.suicide_line_number,
            "violence_sms_number": self.violence_sms_number,
            "trafficking_line_number": self.trafficking_line_number,
            "victim_line_hours": self.victim_line_hours,
            "child_line_hours": self.child_line_hours,
            "retention_minutes": str(self.conversation_ttl_minutes),
        }


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
