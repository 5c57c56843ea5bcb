"""The NLU data covers every intent of the contract in every launch language, with varied examples."""
from __future__ import annotations

from collections import Counter

import pytest
import yaml

from i18n.languages import SUPPORTED
from settings import ROOT

CONTRACT_INTENTS = {
    "greet", "goodbye", "thank", "affirm", "deny", "ask_health", "ask_education", "ask_housing",
    "ask_work_rights", "ask_legal_help", "ask_social_support", "find_service", "ask_privacy", "forget_me",
    "change_language", "emergency", "human_handoff", "bot_challenge", "out_of_scope",
}
MIN_EXAMPLES = 20


def examples_by_intent(language: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in sorted((ROOT / "data" / "nlu" / language).glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "intent" in block:
                counts[block["intent"]] += sum(1 for line in block["examples"].splitlines() if line.strip())
    return counts


@pytest.mark.parametrize("language", SUPPORTED)
def test_every_intent_has_enough_examples_in_every_language(language: str) -> None:
    counts = examples_by_intent(language)
    missing = {intent: counts[intent] for intent in CONTRACT_INTENTS if counts[intent] < MIN_EXAMPLES}
    assert missing == {}, f"{language}: too few examples {missing}"


@pytest.mark.parametrize("language", SUPPORTED)
def test_every_category_has_a_lookup_table(language: str) -> None:
    from services_db.categories import CATEGORIES

    document = yaml.safe_load((ROOT / "data" / "nlu" / language / "lexicon.yml").read_text(encoding="utf-8"))
    tables = {block["lookup"] for block in document["nlu"] if "lookup" in block}
    assert {f"category_{category}" for category in CATEGORIES} <= tables


def test_held_out_messages_are_not_in_the_training_data() -> None:
    from bench.heldout import load_heldout
    from bot.langid.training import labelled_examples

    training = {text.strip().lower() for _, text in labelled_examples(ROOT / "data" / "nlu")}
    heldout = load_heldout()
    assert len(heldout) > 1000
    assert not [e.text for e in heldout if " ".join(e.text.lower().split()) in training]
