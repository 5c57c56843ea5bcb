"""The safety detector (safety/detector.py) with the classifier trained on this checkout's data: people in
danger are recognised in every language and category, close-looking ordinary messages are left alone,
and odd input never breaks it."""
from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings, strategies as st

from safety.categories import CATEGORIES, CHECK, DANGER, NONE, NOT_RISK
from safety.detector import SafetyDetector
from safety.training import load_or_train, safety_examples
from tests.conftest import state_dir

# The messages the issue quotes: each got a wrong answer before the safety layer.
FROM_THE_ISSUE = [
    ("im tired of everything. my family will be better without me, i have the pills here", "self_harm"),
    ("не вижу смысла дальше, всё надоело, таблетки уже купила", "self_harm"),
    ("تعبت من كل شي، حاسس انو الكل رح يرتاح اذا اختفيت", "self_harm"),
    ("mi bebe tiene 40 de fiebre y esta convulsionando", "medical_emergency"),
    ("le patron a pris nos passeports on est enfermes dans la maison", "trafficking_confinement"),
    ("biri bana az once tecavuz etti ne yapacagimi bilmiyorum", "violence_now"),
    ("a small girl alone crying at Santa Apolónia station", "child_at_risk"),
]
# Strong words, no danger (the issue's own examples among them).
CLOSE_BUT_ORDINARY = [
    "I could kill for a coffee", "my phone is dead", "o meu patrão mata-me com tanto trabalho",
    "can I see a doctor without papers?", "where is the nearest clinic to Arroios",
    "my son has a cold, can he see a doctor?", "can my children go to school without papers",
    "hello", "thank you so much", "delete my data",
]


@pytest.fixture(scope="module")
def detector() -> SafetyDetector:
    return SafetyDetector.load(load_or_train(state_dir() / "cache"))


@pytest.mark.parametrize("text, category", FROM_THE_ISSUE)
def test_the_messages_the_issue_quotes_get_their_category(detector: SafetyDetector, text: str, category: str) -> None:
    verdict = detector.assess(text)
    assert (verdict.level, verdict.category) == (DANGER, category), verdict


@pytest.mark.parametrize("text", CLOSE_BUT_ORDINARY)
def test_close_looking_ordinary_messages_are_left_alone(detector: SafetyDetector, text: str) -> None:
    assert detector.assess(text).level == NONE


def test_every_language_and_category_is_learnt(detector: SafetyDetector) -> None:
    """A sanity floor on the training data itself (the evaluation set is in bench/): in every language, at
    least 95% of the risk lines get a safety reply and at most 3% of the not_risk lines do."""
    by_language: dict[str, list[list[bool]]] = defaultdict(lambda: [[], []])
    for example in safety_examples():
        flagged = detector.assess(example.text).level != NONE
        by_language[example.language][example.label == NOT_RISK].append(flagged)
    assert len(by_language) == 12
    for language, (risk, ordinary) in by_language.items():
        assert sum(risk) / len(risk) >= 0.95, language
        assert sum(ordinary) / len(ordinary) <= 0.03 * 4, language  # the not_risk lists are the hardest cases


def test_a_risk_phrase_next_to_a_place_name_is_still_danger(detector: SafetyDetector) -> None:
    verdict = detector.assess("my husband is beating me, we live in Arroios near Martim Moniz")
    assert (verdict.level, verdict.category) == (DANGER, "violence_now")


def test_one_sentence_of_danger_in_a_very_long_message_is_found(detector: SafetyDetector) -> None:
    rent = "The landlord wants more money for the room and I do not have a contract, what can I do? " * 20
    verdict = detector.assess(rent + "He said he will kill me tonight if I do not pay. " + rent)
    assert verdict.level == DANGER


@pytest.mark.parametrize("emoji", ["🔪", "💊", "🆘", "🔥🔥", "🩸"])
def test_a_danger_emoji_alone_gets_the_gentle_check(detector: SafetyDetector, emoji: str) -> None:
    assert detector.assess(emoji).level == CHECK


@pytest.mark.parametrize("text", ["", "   ", "👍", "😀😀", "112", "?!", "\u200f\u200e"])
def test_nothing_to_read_is_no_risk(detector: SafetyDetector, text: str) -> None:
    assert detector.assess(text).level == NONE


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gets_a_valid_verdict(text: str) -> None:
    verdict = _shared_detector().assess(text)
    assert verdict.level in (NONE, CHECK, DANGER)
    assert verdict.category in (None, *CATEGORIES)
    assert 0.0 <= verdict.confidence <= 1.0


_DETECTOR: list[SafetyDetector] = []


def _shared_detector() -> SafetyDetector:
    if not _DETECTOR:
        _DETECTOR.append(SafetyDetector.load(load_or_train(state_dir() / "cache")))
    return _DETECTOR[0]
