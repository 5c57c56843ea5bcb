"""`python -m safety`: reads messages on stdin, one per line, and prints one verdict per line as JSON
({"category": ..., "confidence": ..., "level": ...}). Trains the classifier first if its data changed
(a few seconds, cached under $STATE_DIR/cache)."""
from __future__ import annotations

import json
import sys

from safety.detector import SafetyDetector
from safety.training import load_or_train
from settings import STATE_DIR


def main() -> None:
    detector = SafetyDetector.load(load_or_train(STATE_DIR / "cache"))
    for line in sys.stdin:
        print(json.dumps(detector.assess(line.rstrip("\n")).as_output(), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
