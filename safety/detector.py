"""Decides, for one message, whether the person may be in danger, how sure we are, and of what kind.

How the parts decide together (recall first):
1. Figurative idioms are blanked out ("I could kill for a coffee").
2. A lexicon phrase decides the category at once (level DANGER): high precision, every language.
3. Otherwise the classifier's risk (1 - P(no risk)) decides: at or above DANGER_AT the likeliest
   category's reply; at or above CHECK_AT the gentle check "are you safe right now?".
   Long messages are also read in overlapping windows, so that one sentence about danger is not
   diluted by a paragraph about rent.
4. Emoji-only messages with a danger emoji (🔪, 💊, 🆘...) get the gentle check: there is nothing
   else to go on, and a check costs one sentence.
`signal` (the classifier's risk) is kept for callers with a destructive action at stake: a "delete my
data" with any risk signal asks first (bot/components/safety_layer.py).

Thresholds are chosen on a validation split of the training data (make bench-safety-validation), never
on the evaluation set (bench/data/safety)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from safety.categories import CHECK, DANGER, IMMEDIATE_DANGER, NONE
from safety.classifier import RiskClassifier, likeliest_category, risk_of
from safety.lexicon import Lexicon, default_lexicon
from safety.text import fold

DANGER_AT = 0.5
CHECK_AT = 0.3
# A "delete my data" is held for a confirmation above this risk: the cost of asking is one tap.
SIGNAL_AT = 0.1
WINDOW_WORDS = 24
# Emoji that, alone, may be a cry for help (knife, pistol, pill, drop of blood, SOS, fire, skull, coffin,
# ambulance, police light, a face in distress).
DANGER_EMOJI = frozenset("🔪🗡🔫💊💉🩸🆘🔥💀☠⚰🚑🚨😵")


@dataclass(frozen=True)
class Verdict:
    category: str | None
    confidence: float
    level: str
    source: str  # "lexicon", "classifier", "emoji" or "" when nothing was found
    signal: float = 0.0

    def as_output(self) -> dict[str, object]:
        """The `safety` key of Rasa's parse result (DESIGN.md contract), plus the level the bot acts on."""
        return {"category": self.category, "confidence": round(self.confidence, 4), "level": self.level}


NO_RISK = Verdict(None, 0.0, NONE, "")


def _windows(words: list[str]) -> list[str]:
    if len(words) <= WINDOW_WORDS:
        return [" ".join(words)]
    step = WINDOW_WORDS // 2
    return [" ".join(words)] + [" ".join(words[start : start + WINDOW_WORDS])
                                for start in range(0, len(words) - step, step)]


class SafetyDetector:
    def __init__(self, classifier: RiskClassifier | None, lexicon: Lexicon | None = None,
                 danger_at: float = DANGER_AT, check_at: float = CHECK_AT) -> None:
        self._classifier = classifier
        self._lexicon = lexicon or default_lexicon()
        self.danger_at = danger_at
        self.check_at = check_at

    @classmethod
    def load(cls, model_dir: Path) -> "SafetyDetector":
        return cls(RiskClassifier.load(model_dir))

    def assess(self, text: str) -> Verdict:
        folded = self._lexicon.without_idioms(fold(text or ""))
        words = folded.split()
        if not any(ch.isalpha() for ch in folded):
            if any(ch in DANGER_EMOJI for ch in folded):
                return Verdict(IMMEDIATE_DANGER, 0.5, CHECK, "emoji", 0.5)
            return NO_RISK
        probabilities = self._probabilities(words)
        risk = risk_of(probabilities)
        found = self._lexicon.matches(" ".join(words))
        if found:
            category = likeliest_category(probabilities, among=found)
            return Verdict(category, max(risk, 0.95), DANGER, "lexicon", risk)
        if risk >= self.danger_at:
            return Verdict(likeliest_category(probabilities), risk, DANGER, "classifier", risk)
        if risk >= self.check_at:
            return Verdict(likeliest_category(probabilities), risk, CHECK, "classifier", risk)
        return Verdict(None, risk, NONE, "", risk)

    def _probabilities(self, words: list[str]) -> dict[str, float]:
        if self._classifier is None:
            return {}
        best: dict[str, float] = {}
        for window in _windows(words):
            probabilities = self._classifier.probabilities(window)
            if not best or risk_of(probabilities) > risk_of(best):
                best = probabilities
        return best
