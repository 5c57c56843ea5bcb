"""The three processes, started together and stopped together."""
from __future__ import annotations

import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from launcher.log_sink import LogSink, remove_expired_logs
from launcher.training import ensure_model, subprocess_env
from settings import ROOT, get_settings

READY_TIMEOUT_SECONDS = 300
CHANNEL_VARIABLES = ("TWILIO_AUTH_TOKEN", "TWILIO_WEBHOOK_URL", "META_VERIFY_TOKEN", "META_APP_SECRET",
                     "META_ACCESS_TOKEN", "META_PHONE_NUMBER_ID", "META_GRAPH_URL")
DEFAULT_GRAPH_URL = "https://graph.facebook.com/v19.0"
# The portal is its own deployable, in its own environment (a current Python, no Rasa; scripts/setup.sh).
# Rasa and the action server run on the interpreter the launcher runs on (.venv, Python 3.10).
PORTAL_PYTHON = ROOT / ".venv-portal" / "bin" / "python"


def portal_python() -> Path:
    if not PORTAL_PYTHON.exists():
        raise RuntimeError(f"The portal's environment is missing ({PORTAL_PYTHON}): run scripts/setup.sh, which "
                           "creates it with Python 3.12+ (found by scripts/find_python.sh portal).")
    return PORTAL_PYTHON


@dataclass
class Ports:
    rasa: int = 5005
    actions: int = 5055
    portal: int = 8080


@dataclass
class Stack:
    ports: Ports
    extra_env: dict[str, str] = field(default_factory=dict)
    log_dir: Path | None = None
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    by_name: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    sinks: list[LogSink] = field(default_factory=list)
    model: Path | None = None
    internal_token: str = field(default_factory=lambda: get_settings().internal_token or secrets.token_hex(32))

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.rasa}"

    @property
    def portal_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.portal}"

    def _env(self) -> dict[str, str]:
        env = subprocess_env()
        env.update({
            "RASA_PORT": str(self.ports.rasa),
            "ACTION_PORT": str(self.ports.actions),
            "PORTAL_PORT": str(self.ports.portal),
            "ACTION_SERVER_URL": f"http://127.0.0.1:{self.ports.actions}/webhook",
            "SANIC_HOST": "127.0.0.1",  # rasa-sdk binds to 0.0.0.0 unless told otherwise
            "INTERNAL_TOKEN": self.internal_token,
        })
        # credentials.yml names these; unset, Rasa would refuse to start, empty they keep the channel closed.
        for variable in CHANNEL_VARIABLES:
            env.setdefault(variable, "")
        env["META_GRAPH_URL"] = env["META_GRAPH_URL"] or DEFAULT_GRAPH_URL
        env["WIDGET_ALLOWED_ORIGINS"] = env.get("WIDGET_ALLOWED_ORIGINS") or self.portal_url
        env.update(self.extra_env)
        return env

    def _spawn(self, name: str, command: list[str]) -> None:
        process = subprocess.Popen(command, cwd=ROOT, env=self._env(), start_new_session=True,
                                   stdout=subprocess.PIPE if self.log_dir is not None else subprocess.DEVNULL,
                                   stderr=subprocess.STDOUT)
        self.processes.append(process)
        self.by_name[name] = process
        if self.log_dir is not None and process.stdout is not None:
            retention = get_settings().log_retention_minutes * 60.0
            self.sinks.append(LogSink(process.stdout, self.log_dir, name, retention).start())

    def start(self) -> None:
        if self.log_dir is not None and self.log_dir.exists():
            remove_expired_logs(self.log_dir, get_settings().log_retention_minutes * 60.0)
        portal = portal_python()  # before training: a missing environment is said at once, not minutes later
        model = self.model = ensure_model()
        bin_dir = Path(sys.executable).parent
        self._spawn("actions", [str(bin_dir / "python"), "-m", "launcher.action_server"])
        self._spawn("portal", [str(portal), "-m", "portal"])
        # Rasa's own command line through our entry point (bot/rasa_entry.py: smaller and faster to start).
        self._spawn("rasa", [
            str(bin_dir / "python"), "-m", "bot.rasa_entry", "run", "--model", str(model), "--endpoints", "bot/endpoints.yml",
            "--credentials", "bot/credentials.yml", "--port", str(self.ports.rasa), "--interface", "127.0.0.1",
            "--cors", self.portal_url, *self._api_arguments(),
        ])
        self.wait_until_ready()

    @staticmethod
    def _api_arguments() -> list[str]:
        """Rasa's HTTP API only with a JWT secret: without one it would be open to anyone on the host."""
        secret = get_settings().rasa_jwt_secret
        return ["--enable-api", "--jwt-secret", secret, "--jwt-method", "HS256"] if secret else []

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        urls = [f"http://127.0.0.1:{self.ports.actions}/health", f"{self.portal_url}/health",
                f"{self.rasa_url}/webhooks/rest/"]
        for url in urls:
            while not _answers(url):
                if any(p.poll() is not None for p in self.processes):
                    self.stop()
                    raise RuntimeError(f"A process exited during start-up (logs: {self.log_dir or 'off'}).")
                if time.monotonic() > deadline:
                    self.stop()
                    raise TimeoutError(f"{url} did not answer within {READY_TIMEOUT_SECONDS} s.")
                time.sleep(0.5)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for sink in self.sinks:
            sink.join(timeout=5)
        self.processes.clear()
        self.by_name.clear()
        self.sinks.clear()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False
