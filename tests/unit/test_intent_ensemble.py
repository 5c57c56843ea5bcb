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


def test_the_compiled_arithmetic_gives_the_pipelines_probabilities_on_real_messages() -> None:
    """bot/intent_ensemble.CompiledLinearModel serves every parse; scikit-learn's pipeline is the reference."""
    import random

    from bot.langid.training import intent_examples
    from settings import ROOT

    examples = [(text, intent) for path in sorted((ROOT / "data" / "nlu").glob("*/*.yml"))
                for intent, text in intent_examples(path)]
    sample = random.Random(7).sample(examples, 1500)
    model = LinearIntentModel().fit(sample[:1000])
    unseen = [text for text, _ in sample[1000:]] + ["", "   ", "!!!", "qwxz zzkk", "1 2 3", "😀"]
    for text in unseen + [text for text, _ in sample[:100]]:
        compiled, reference = model.probabilities(text), model.pipeline_probabilities(text)
        assert compiled.keys() == reference.keys()
        assert max(abs(compiled[name] - reference[name]) for name in reference) < 1e-9, text


def test_with_two_intents_the_compiled_arithmetic_is_the_logistic_the_pipeline_uses() -> None:
    model = LinearIntentModel().fit(EXAMPLES[:6])  # ask_health and ask_housing only
    for text in ("i need a doctor", "landlord", "", "zzz"):
        compiled, reference = model.probabilities(text), model.pipeline_probabilities(text)
        assert max(abs(compiled[name] - reference[name]) for name in reference) < 1e-12
