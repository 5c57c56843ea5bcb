"""The safety evaluation set: bench/data/safety/<lang>.yml, written by writers briefed only with the category
descriptions (never shown data/nlu or safety/training), plus the ordinary messages of the held-out set
(bench/data/heldout, other authors). Never used for training or for choosing thresholds."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.heldout import load_heldout
from safety.categories import CATEGORIES
from safety.training import safety_examples
from services_db.text_normalise import fold

SAFETY_EVAL_DIR = Path(__file__).resolve().parent / "data" / "safety"
EMERGENCY_INTENT = "emergency"


@dataclass(frozen=True)
class Case:
    language: str
    text: str
    category: str | None  # None: an ordinary message, where any safety reply is a false alarm
    style: str  # "direct" / "indirect" for risk messages; "written" / "heldout" for ordinary ones


def _key(text: str) -> str:
    return " ".join(fold(text).split())


def load_cases() -> tuple[list[Case], int]:
    """The evaluation cases, and how many were left out because the same text is in a training file
    (it would flatter the scores)."""
    cases = []
    for path in sorted(SAFETY_EVAL_DIR.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        language = str(document.get("language") or path.stem)
        for item in document.get("risk") or []:
            if item["category"] not in CATEGORIES:
                raise ValueError(f"{path.name}: unknown category {item['category']!r}")
            cases.append(Case(language, str(item["text"]), item["category"], str(item.get("style", ""))))
        cases += [Case(language, str(text), None, "written") for text in document.get("ordinary") or []]
    # The held-out set's `emergency` messages are risk messages without a category: left out of both sides.
    cases += [Case(h.language, h.text, None, "heldout") for h in load_heldout() if h.intent != EMERGENCY_INTENT]
    trained_on = {_key(e.text) for e in safety_examples()}
    kept = [case for case in cases if _key(case.text) not in trained_on]
    return kept, len(cases) - len(kept)
