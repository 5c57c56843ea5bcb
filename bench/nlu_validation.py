"""Intent choices are made here, not on bench/data/heldout: a validation split of data/nlu/ itself.

The linear intent model (bot/intent_ensemble.py, the one in config.yml) is trained without the files
written last (chat, more, extra, stories, short, talk: other authors, chattier) and scored on them,
against a plain fastText intent classifier trained on the same split in the same run (the baseline), then
a grid of fallback thresholds and margins, with how many keyboard-mash messages each sends to the
fallback: where the FallbackClassifier numbers in config.yml are chosen.

    make bench-nlu-validation
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import yaml

from bench.nlu import macro_f1
from bot.intent_ensemble import LinearIntentModel, combine
from bot.langid.training import intent_examples
from settings import ROOT

VALIDATION_FILES = {"chat.yml", "more.yml", "extra.yml", "stories.yml", "short.yml", "talk.yml"}
NONSENSE = ["asdkjh qwe", "jjjjjjj", "xcvb nm", "qwerty", "hhhhh kkkk", "sdfsdf", "ghjk", "kjhg lkjh", "wxq", "pppp"]
Example = tuple[str, str, str]  # language, intent, text
Ranking = list[tuple[str, float]]


def examples(nlu_dir: Path, validation: bool) -> list[Example]:
    return [(path.parent.name, intent, text)
            for path in sorted(nlu_dir.glob("*/*.yml")) if (path.name in VALIDATION_FILES) == validation
            for intent, text in intent_examples(path)]


def fallback_settings() -> tuple[float, float]:
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    fallback = next(s for s in pipeline if s["name"] == "FallbackClassifier")
    return float(fallback["threshold"]), float(fallback["ambiguity_threshold"])


def goes_to_fallback(ranking: Ranking, threshold: float, margin: float) -> bool:
    """What Rasa's FallbackClassifier decides: too unsure, or too close to the runner-up."""
    if not ranking:
        return True
    confidence = ranking[0][1]
    return confidence < threshold or (len(ranking) > 1 and confidence - ranking[1][1] < margin)


def score(rows: list[Example], rankings: list[Ranking], threshold: float, margin: float) -> dict[str, float]:
    by_language: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (language, gold, _), ranking in zip(rows, rankings):
        best = "nlu_fallback" if goes_to_fallback(ranking, threshold, margin) else ranking[0][0]
        by_language[language].append((gold, best))
        by_language["ALL"].append((gold, best))
    return {language: macro_f1(pairs) for language, pairs in by_language.items()}


def fasttext_rankings(train: list[Example], texts: list[str]) -> list[Ranking]:
    import tempfile

    import fasttext

    fasttext.FastText.eprint = lambda *args, **kwargs: None
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as handle:
        for _, intent, text in train:
            handle.write(f"__label__{intent} {' '.join(text.lower().split())}\n")
    model = fasttext.train_supervised(input=handle.name, minn=2, maxn=4, epoch=30, lr=0.5, dim=50, seed=7,
                                      thread=1, verbose=0)
    Path(handle.name).unlink()
    rankings = []
    for text in texts:
        labels, probabilities = model.predict(" ".join(text.lower().split()), k=3)
        rankings.append([(label.removeprefix("__label__"), float(p)) for label, p in zip(labels, probabilities)])
    return rankings


def main() -> None:
    nlu_dir = ROOT / "data" / "nlu"
    train, validation = examples(nlu_dir, validation=False), examples(nlu_dir, validation=True)
    print(f"{len(train)} training and {len(validation)} validation messages "
          f"(files: {', '.join(sorted(VALIDATION_FILES))})")
    texts = [text for _, _, text in validation] + NONSENSE  # the nonsense messages come last in every list
    model = LinearIntentModel().fit([(text, intent) for _, intent, text in train])
    linear = [combine({}, model.probabilities(text), 0.0) for text in texts]
    baseline = fasttext_rankings(train, texts)

    threshold, margin = fallback_settings()
    base = score(validation, baseline[: len(validation)], 0.0, 0.0)
    alone = score(validation, linear[: len(validation)], 0.0, 0.0)
    configured = score(validation, linear[: len(validation)], threshold, margin)
    print(f"\n{'language':<10}{'fastText':>10}{'linear':>8}{'+fallback':>11}{'ratio':>8}")
    for language in [*sorted(k for k in alone if k != "ALL"), "ALL"]:
        print(f"{language:<10}{base[language]:>10.3f}{alone[language]:>8.3f}{configured[language]:>11.3f}"
              f"{configured[language] / base[language]:>7.2f}x")

    print(f"\nconfig.yml: fallback threshold {threshold}, margin {margin}. Grid (macro-F1 ALL, nonsense messages "
          f"sent to the fallback out of {len(NONSENSE)}):")
    for grid_margin in (0.0, 0.02, 0.05, 0.1):
        cells = []
        for grid_threshold in (0.0, 0.2, 0.25, 0.3, 0.35, 0.4):
            f1 = score(validation, linear[: len(validation)], grid_threshold, grid_margin)["ALL"]
            caught = sum(goes_to_fallback(ranking, grid_threshold, grid_margin) for ranking in linear[len(validation):])
            cells.append(f"t={grid_threshold}: {f1:.3f} ({caught})")
        print(f"  margin {grid_margin:<5}" + "  ".join(cells))


if __name__ == "__main__":
    main()
