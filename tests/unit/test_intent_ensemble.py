"""The linear intent model and its mix with DIET's ranking (bot/intent_ensemble.py)."""
from __future__ import annotations

from pathlib import Path

from bot.intent_ensemble import LinearIntentModel, combine

EXAMPLES = [
    ("i need a doctor", "ask_health"), ("can i see a doctor without papers", "ask_health"),
    ("hospital no documents", "ask_health"), ("my landlord wants me out", "ask_housing"),
    ("the landlord keeps my deposit", "ask_housing"), ("can they evict me", "ask_housing"),
    ("hello", "greet"), ("hi there", "greet"), ("salam", "greet"),
]


def test_the_linear_model_learns_and_survives_a_round_trip(tmp_path: Path) -> None:
    model = LinearIntentModel().fit(EXAMPLES)
    probabilities = model.probabilities("doctor without papers please")
    assert max(probabilities, key=probabilities.get) == "ask_health"
    assert abs(sum(probabilities.values()) - 1) < 1e-6
    model.save(tmp_path / "model.pkl")
    assert LinearIntentModel.load(tmp_path / "model.pkl").probabilities("my landlord") == model.probabilities("my landlord")


def test_the_mix_weighs_both_and_ranks_best_first() -> None:
    diet = {"ask_health": 0.99, "ask_housing": 0.01}
    linear = {"ask_health": 0.2, "ask_housing": 0.7, "greet": 0.1}
    ranking = combine(diet, linear, diet_weight=0.2)
    assert [name for name, _ in ranking] == ["ask_housing", "ask_health", "greet"]
    assert abs(dict(ranking)["ask_health"] - (0.2 * 0.99 + 0.8 * 0.2)) < 1e-9
    assert combine({}, {}) == []


def test_a_message_like_nothing_we_know_gets_a_low_confidence() -> None:
    model = LinearIntentModel().fit(EXAMPLES)
    _, confidence = combine({}, model.probabilities("qwxz zzkk"))[0]
    assert confidence < 0.6


def test_a_message_typed_without_turkish_letters_reads_like_the_one_with_them() -> None:
    model = LinearIntentModel().fit([
        ("çocuğum okula gidebilir mi", "ask_education"), ("okul kaydı nasıl yapılır", "ask_education"),
        ("ışıklar kapandı ev sahibi attı", "ask_housing"), ("ev sahibi depozitoyu vermiyor", "ask_housing"),
    ])
    assert model.probabilities("cocugum okula gidebilir mi") == model.probabilities("çocuğum okula gidebilir mi")
    assert model.probabilities("ISIKLAR KAPANDI") == model.probabilities("ışıklar kapandı")


def test_words_with_different_endings_share_their_first_letters() -> None:
    from bot.intent_ensemble import word_prefixes

    assert word_prefixes("okula okulda okullar") == ["okul", "okul", "okul"]
    assert word_prefixes("ev") == ["ev"]
