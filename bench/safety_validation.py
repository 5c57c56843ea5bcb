"""Where the safety layer's thresholds and regularisation are chosen: a validation split of the TRAINING
data, never the evaluation set (bench/data/safety).

    make bench-safety-validation

Two kinds of validation positives, both left out of training here:
- "other authors": the `emergency` examples of data/nlu, written before the safety layer by other
  writers, which the safety training files also list (copied there by category);
- "same authors": one in five of the other risk examples of safety/training (optimistic: same writers).
Negatives: one in five of the `not_risk` lists and of the ordinary NLU examples.
The grid prints, for each (C, min_df) and each (danger, check) threshold pair, recall and false alarms."""
from __future__ import annotations

import hashlib
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bot.langid.training import intent_examples
from safety.categories import NONE, NOT_RISK
from safety.classifier import RiskClassifier
from safety.detector import SafetyDetector
from safety.training import EMERGENCY_INTENT, MIN_DF, NLU_DIR, REGULARISATION_C, Example, train, training_set
from services_db.text_normalise import fold

# (C, min_df) pairs: the configured one first.
GRID = ((REGULARISATION_C, MIN_DF), (10.0, 2), (30.0, 2), (100.0, 2))
THRESHOLDS = ((0.5, 0.2), (0.5, 0.25), (0.5, 0.3), (0.5, 0.35), (0.5, 0.4), (0.6, 0.45), (0.5, 0.5))


def _key(text: str) -> str:
    return " ".join(fold(text).split())


def _in_fifth(text: str) -> bool:
    return hashlib.sha256(_key(text).encode()).digest()[0] % 5 == 0


def split(examples: list[Example]) -> tuple[list[Example], dict[str, list[Example]]]:
    earlier = {_key(text) for path in NLU_DIR.glob("*/*.yml") for intent, text in intent_examples(path)
               if intent == EMERGENCY_INTENT}
    training, validation = [], defaultdict(list)
    for example in examples:
        if example.label != NOT_RISK and _key(example.text) in earlier:
            validation["risk, other authors"].append(example)
        elif _in_fifth(example.text):
            validation["risk, same authors" if example.label != NOT_RISK else f"ordinary ({example.source})"].append(example)
        else:
            training.append(example)
    return training, validation


def main() -> None:
    training, validation = split(training_set())
    print(f"{len(training)} training examples; validation: " + ", ".join(f"{k} {len(v)}" for k, v in validation.items()))
    for c, min_df in dict.fromkeys(GRID):
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as directory:
            train(training, Path(directory), c=c, min_df=min_df)
            classifier = RiskClassifier.load(Path(directory))
        configured = " (configured)" if (c, min_df) == (REGULARISATION_C, MIN_DF) else ""
        print(f"\nC = {c}, min_df = {min_df}{configured}: trained in {time.perf_counter() - start:.0f} s, "
              f"{len(classifier.vocabulary)} features")
        print(f"{'danger/check at':<16}" + "".join(f"{name[:22]:>24}" for name in validation))
        for danger_at, check_at in THRESHOLDS:
            detector = SafetyDetector(classifier, danger_at=danger_at, check_at=check_at)
            cells = []
            for name, examples in validation.items():
                flagged = sum(detector.assess(e.text).level != NONE for e in examples)
                cells.append(f"{flagged / len(examples):>23.1%} ")
            print(f"{danger_at:.2f}/{check_at:.2f}".ljust(16) + "".join(cells))
        detector = SafetyDetector(classifier)
        by_language: dict[str, list[bool]] = defaultdict(list)
        for example in validation["risk, other authors"] + validation["risk, same authors"]:
            by_language[example.language].append(detector.assess(example.text).level != NONE)
        print("recall by language at the configured thresholds: " +
              ", ".join(f"{language} {sum(v) / len(v):.0%}" for language, v in sorted(by_language.items())))


if __name__ == "__main__":
    main()
