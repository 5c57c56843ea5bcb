"""Training data for the risk classifier, and training itself.

Positives: safety/training/<lang>.yml (`risk:` by category), written for this purpose in every language.
Negatives: their `not_risk:` lists (figurative "this heat is killing me", harmless "I lost my passport")
and every NLU example of data/nlu/<lang>/ except the `emergency` intent: ordinary messages to this bot.
A text listed as a risk anywhere is never used as a negative."""
from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from contract import EMERGENCY
from safety.categories import CATEGORIES, NOT_RISK
from safety.lexicon import Lexicon, default_lexicon
from safety.text import fold

SAFETY_DIR = Path(__file__).resolve().parent
TRAINING_DIR = SAFETY_DIR / "training"
NLU_DIR = SAFETY_DIR.parent / "data" / "nlu"
EMERGENCY_INTENT = EMERGENCY  # kept for the benches that import it from here
# Inverse regularisation of the logistic regression and the fewest texts a feature must occur in, chosen
# on a validation split of the training data (bench/safety_validation.py), never on the evaluation set.
REGULARISATION_C = 30.0
MIN_DF = 2


class TrainingDataError(ValueError):
    """A training file is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class Example:
    language: str
    label: str  # NOT_RISK or a category
    text: str
    source: str  # "safety" (written for the safety layer) or "nlu" (an ordinary NLU example)


def normalise(text: str, lexicon: Lexicon | None = None) -> str:
    """What the classifier reads: folded, figurative idioms blanked, spaces collapsed."""
    lexicon = lexicon or default_lexicon()
    return " ".join(lexicon.without_idioms(fold(text)).split())


def safety_examples(directory: Path = TRAINING_DIR) -> list[Example]:
    examples = []
    for path in sorted(directory.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        language = str(document.get("language") or path.stem)
        risk = document.get("risk") or {}
        if not isinstance(risk, dict):
            raise TrainingDataError(f"{path.name}: risk must map categories to lists")
        for category, texts in risk.items():
            if category not in CATEGORIES:
                raise TrainingDataError(f"{path.name}: unknown category {category!r}")
            examples += [Example(language, category, str(text), "safety") for text in texts or [] if str(text).strip()]
        examples += [Example(language, NOT_RISK, str(text), "safety")
                     for text in document.get("not_risk") or [] if str(text).strip()]
    return examples


def nlu_negatives(nlu_dir: Path = NLU_DIR) -> list[Example]:
    from bot.langid.training import intent_examples  # the one reader of NLU files (no Rasa import)

    return [Example(path.parent.name, NOT_RISK, text, "nlu")
            for path in sorted(nlu_dir.glob("*/*.yml"))
            for intent, text in intent_examples(path)
            if intent != EMERGENCY_INTENT and text.strip()]


def training_set(training_dir: Path = TRAINING_DIR, nlu_dir: Path = NLU_DIR) -> list[Example]:
    written = safety_examples(training_dir)
    risky = {" ".join(fold(e.text).split()) for e in written if e.label != NOT_RISK}
    negatives = [e for e in nlu_negatives(nlu_dir) if " ".join(fold(e.text).split()) not in risky]
    return written + negatives


def train(examples: list[Example], output: Path, c: float = REGULARISATION_C, min_df: int = MIN_DF) -> None:
    from safety.classifier import RiskClassifier

    lexicon = default_lexicon()
    RiskClassifier.fit([normalise(e.text, lexicon) for e in examples], [e.label for e in examples],
                       c=c, min_df=min_df).save(output)


def data_fingerprint(training_dir: Path = TRAINING_DIR, nlu_dir: Path = NLU_DIR) -> str:
    """Changes whenever anything the classifier is trained from changes: its data, the lexicon's idioms
    (they shape what it reads), this code and the classifier's."""
    digest = hashlib.sha256()
    files = [*sorted(training_dir.glob("*.yml")), *sorted(nlu_dir.glob("*/*.yml")),
             *sorted((SAFETY_DIR / "lexicon").glob("*.yml")), *sorted(SAFETY_DIR.glob("*.py"))]
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(repr((REGULARISATION_C, MIN_DF)).encode())
    return digest.hexdigest()[:16]


def load_or_train(cache_dir: Path) -> Path:
    """The classifier for the current data, trained first if the data changed (for the benches, the tests
    and the command line; the Rasa model carries its own copy)."""
    model_dir = cache_dir / f"safety-{data_fingerprint()}"
    if not (model_dir / "safety_weights.npz").exists():
        train(training_set(), model_dir)
    return model_dir


if __name__ == "__main__":
    train(training_set(), Path(sys.argv[1]))
