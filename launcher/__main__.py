"""python -m launcher: prepares the directory and the model, then runs the three processes until Ctrl-C."""
from __future__ import annotations

import signal
import sys
from pathlib import Path

from launcher.stack import Ports, Stack
from privacy.startup_checks import harden_process
from services_db.database import make_engine
from services_db.sample_loader import load_directory_file
from settings import STATE_DIR, get_settings


def main() -> int:
    settings = get_settings()
    harden_process(settings)
    loaded = load_directory_file(make_engine(settings.directory_db_url), Path(settings.sample_directory_json))
    print(f"Directory ready: {loaded} sample services.", flush=True)
    stack = Stack(Ports(settings.rasa_port, settings.action_port, settings.portal_port), log_dir=STATE_DIR / "logs")
    stack.start()
    print(
        f"\nThe assistant is running.\n"
        f"  Chat in the browser:  {stack.portal_url}/\n"
        f"  REST channel:         S=$(curl -s -X POST {stack.rasa_url}/webhooks/rest/session | cut -d'\"' -f4)\n"
        f"                        curl -s {stack.rasa_url}/webhooks/rest/webhook "
        "-d \"{\\\"sender\\\": \\\"$S\\\", \\\"message\\\": \\\"hi\\\"}\"\n"
        f"  Logs:                 {STATE_DIR / 'logs'}\n"
        "Press Ctrl-C to stop all three processes.",
        flush=True,
    )
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        print("\nStopping…", flush=True)
        stack.stop()
    return 0


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    # Installed explicitly: a shell that starts us in the background makes Python ignore SIGINT otherwise.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the three processes like Ctrl-C does
    sys.exit(main())
