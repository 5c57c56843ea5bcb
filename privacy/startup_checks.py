"""What every process checks before it serves anyone: files it creates are private, its logs are
redacted, it does not log DEBUG lines unless that was asked for on purpose, and in production it runs
only with strong, distinct secrets. A process that fails these refuses to start and says why."""
from __future__ import annotations

import logging
import os
import sys

from privacy.log_redaction import debug_logging_enabled, install_log_redaction
from settings import MIN_KEY_CHARS, InsecureConfiguration, Settings

# Values from documentation and examples that must never guard a real deployment.
KNOWN_PLACEHOLDERS = frozenset({"", "changeme", "change-me", "secret", "test-key-not-secret"})


class RefusedToStart(SystemExit):
    """Raised instead of serving; the message is printed by the interpreter and the exit code is 78
    (EX_CONFIG), so that a supervisor sees a configuration error rather than a crash to retry."""

    def __init__(self, reason: str) -> None:
        super().__init__(78)
        self.reason = reason
        self.args = (78, reason)
        # Said here, where it is raised: the interpreter prints nothing for a numeric exit code.
        print(f"Refusing to start: {reason}", file=sys.stderr, flush=True)


def secret_problems(settings: Settings) -> list[str]:
    """In production: each secret set, long enough, not an example value, and each different."""
    if not settings.production:
        return []
    problems = []
    values: dict[str, str] = {}
    for variable in ("SENDER_HASH_KEY", "SESSION_SIGNING_KEY", "INTERNAL_TOKEN"):
        value = os.environ.get(variable, "").strip()
        values[variable] = value
        if value.lower() in KNOWN_PLACEHOLDERS or len(value) < MIN_KEY_CHARS:
            problems.append(f"{variable} must be set to at least {MIN_KEY_CHARS} random characters "
                            "(openssl rand -hex 32)")
    distinct = [value for value in values.values() if value]
    if len(set(distinct)) < len(distinct):
        problems.append("SENDER_HASH_KEY, SESSION_SIGNING_KEY and INTERNAL_TOKEN must all be different")
    return problems


def harden_process(settings: Settings) -> None:
    """First thing in every process. Raises RefusedToStart when the configuration is unsafe."""
    # Databases, keys and logs this process creates are readable by its own user only.
    os.umask(0o077)
    install_log_redaction()
    if debug_logging_enabled() and not settings.allow_debug_logging:
        raise RefusedToStart("DEBUG logging is on (LOG_LEVEL, --debug). DEBUG lines of Rasa carry what users "
                             "wrote; set ALLOW_DEBUG_LOGGING=true to run like this on purpose.")
    problems = secret_problems(settings)
    if problems:
        raise RefusedToStart("; ".join(problems) + " (DEPLOYMENT_MODE=production).")
    try:
        settings.sender_hash_key, settings.session_signing_key  # noqa: B018 - created or read now, not mid-request
    except InsecureConfiguration as error:
        raise RefusedToStart(str(error)) from None


def configure_logging(settings: Settings, process: str) -> None:
    """Our own processes' logging: the level from LOG_LEVEL, one line per record, no client addresses."""
    logging.basicConfig(level=getattr(logging, settings.log_level, logging.INFO),
                        format=f"%(asctime)s {process} %(levelname)s %(name)s %(message)s",
                        # To the minute, like everything else we keep: with a provider's records of who
                        # wrote when, exact times would link a log line to a phone number.
                        datefmt="%Y-%m-%d %H:%M")
