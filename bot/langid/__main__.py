"""python -m bot.langid: reads lines on stdin, prints one ISO 639-1 code per line (or "other" / "und")."""
from __future__ import annotations

import sys
from pathlib import Path

from bot.langid.core import LanguageIdentifier
from bot.langid.training import load_or_train
from settings import ROOT, STATE_DIR


def main() -> int:
    own_model = load_or_train(ROOT / "data" / "nlu", STATE_DIR / "langid")
    identifier = LanguageIdentifier.load(Path(own_model))
    for line in sys.stdin:
        print(identifier.identify(line.rstrip("\n")).code, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
