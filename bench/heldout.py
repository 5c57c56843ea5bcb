"""Held-out messages (bench/data/heldout/<lang>.yml, Rasa NLU format): never used for training, written
separately from data/nlu/ by other authors, for measuring language identification and intent classification."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.langid.training import intent_examples

HELDOUT_DIR = Path(__file__).resolve().parent / "data" / "heldout"


@dataclass(frozen=True)
class HeldOut:
    language: str
    intent: str
    text: str


def load_heldout() -> list[HeldOut]:
    """The held-out messages, minus any that happen to be in the training data too (common phrases like
    "good night" were written by both authors independently): those would flatter the scores."""
    from bot.langid.training import labelled_examples
    from settings import ROOT

    training = {" ".join(text.lower().split()) for _, text in labelled_examples(ROOT / "data" / "nlu")}
    return [HeldOut(path.stem, intent, text)
            for path in sorted(HELDOUT_DIR.glob("*.yml"))
            for intent, text in intent_examples(path)
            if " ".join(text.lower().split()) not in training]


def length_bucket(text: str) -> str:
    words = len(text.split())
    return "1 word" if words <= 1 else "2-3 words" if words <= 3 else "4+ words"
