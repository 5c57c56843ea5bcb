"""Intent choices are made here, not on bench/data/heldout: a validation split of data/nlu/ itself.

A Rasa model is trained without the files written last (chat, more, extra, stories, short, talk: other
authors, chattier), and scored on them. DIET alone, the linear model alone and their mix are compared
in one run (ratios against DIET alone), then a small grid of mix weights and fallback thresholds, so
that changing DIET_WEIGHT or the FallbackClassifier numbers in config.yml has evidence that does not
spend the held-out set.

    make bench-nlu-validation
"""
from __future__ import annotations

import asyncio
import logging
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import yaml

from bench.nlu import macro_f1
from bot.intent_ensemble import LinearIntentModel, combine
from bot.langid.training import intent_examples
from launcher.training import subprocess_env
from settings import ROOT

VALIDATION_FILES = {"chat.yml", "more.yml", "extra.yml", "stories.yml", "short.yml", "talk.yml"}
NONSENSE = ["asdkjh qwe", "jjjjjjj", "xcvb nm", "qwerty", "hhhhh kkkk", "sdfsdf", "ghjk", "kjhg lkjh", "wxq", "pppp"]
Example = tuple[str, str, str]  # language, intent, text


def examples(nlu_dir: Path, validation: bool) -> list[Example]:
    return [(path.parent.name, intent, text)
            for path in sorted(nlu_dir.glob("*/*.yml")) if (path.name in VALIDATION_FILES) == validation
            for intent, text in intent_examples(path)]


def pipeline_settings() -> tuple[float, float, float]:
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    ensemble = next(s for s in pipeline if s["name"].endswith("IntentEnsemble"))
    fallback = next(s for s in pipeline if s["name"] == "FallbackClassifier")
    return float(ensemble["diet_weight"]), float(fallback["threshold"]), float(fallback["ambiguity_threshold"])


def train_diet_only(workdir: Path) -> Path:
    """The project's pipeline trained on the non-validation files, with the mix and the fallback switched
    off, so that the ranking it returns is DIET's own."""
    shutil.copytree(ROOT / "data", workdir / "data")
    for path in (workdir / "data" / "nlu").glob("*/*.yml"):
        if path.name in VALIDATION_FILES:
            path.unlink()
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for step in config["pipeline"]:
        if step["name"].endswith("IntentEnsemble"):
            step["diet_weight"] = 1.0
        if step["name"] == "FallbackClassifier":
            step["threshold"], step["ambiguity_threshold"] = 0.0, 0.0
    (workdir / "config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    command = [str(Path(sys.executable).parent / "rasa"), "train", "nlu", "--config", str(workdir / "config.yml"),
               "--nlu", str(workdir / "data" / "nlu"), "--out", str(workdir), "--fixed-model-name", "validation"]
    subprocess.run(command, cwd=ROOT, env=subprocess_env(), check=True, stdout=subprocess.DEVNULL)
    return workdir / "validation.tar.gz"


def diet_rankings(model: Path, texts: list[str]) -> list[dict[str, float]]:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    agent = Agent.load(str(model))

    async def parse_all() -> list[dict[str, float]]:
        parsed = [await agent.parse_message(text) for text in texts]
        return [{r["name"]: r["confidence"] for r in p["intent_ranking"]} for p in parsed]

    return asyncio.run(parse_all())


Ranking = list[tuple[str, float]]


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


def main() -> None:
    nlu_dir = ROOT / "data" / "nlu"
    train, validation = examples(nlu_dir, validation=False), examples(nlu_dir, validation=True)
    print(f"{len(train)} training and {len(validation)} validation messages "
          f"(files: {', '.join(sorted(VALIDATION_FILES))})")
    texts = [text for _, _, text in validation] + NONSENSE  # the nonsense messages come last in every list
    with tempfile.TemporaryDirectory(prefix="nlu-validation-") as workdir:
        diet = diet_rankings(train_diet_only(Path(workdir)), texts)
    linear_model = LinearIntentModel().fit([(text, intent) for _, intent, text in train])
    linear = [linear_model.probabilities(text) for text in texts]

    def mixed(weight: float) -> list[Ranking]:
        return [combine(d, l, weight) for d, l in zip(diet, linear)]

    weight, threshold, margin = pipeline_settings()
    diet_alone = score(validation, mixed(1.0)[: len(validation)], 0.0, 0.0)
    languages = sorted(k for k in diet_alone if k != "ALL") + ["ALL"]
    print(f"\n{'language':<10}{'DIET':>8}{'linear':>8}{'mix':>8}{'mix+fallback':>14}{'mix/DIET':>10}")
    linear_alone = score(validation, mixed(0.0)[: len(validation)], 0.0, 0.0)
    mix = score(validation, mixed(weight)[: len(validation)], 0.0, 0.0)
    configured = score(validation, mixed(weight)[: len(validation)], threshold, margin)
    for language in languages:
        print(f"{language:<10}{diet_alone[language]:>8.3f}{linear_alone[language]:>8.3f}{mix[language]:>8.3f}"
              f"{configured[language]:>14.3f}{configured[language] / diet_alone[language]:>9.2f}x")

    print(f"\nconfig.yml: diet_weight {weight}, fallback threshold {threshold}, margin {margin}. Grid (macro-F1 ALL, "
          f"nonsense messages sent to the fallback out of {len(NONSENSE)}):")
    for grid_weight in (0.0, 0.1, 0.2, 0.3, 0.5, 1.0):
        cells = []
        rankings = mixed(grid_weight)
        for grid_threshold in (0.0, 0.2, 0.3, 0.4):
            f1 = score(validation, rankings[: len(validation)], grid_threshold, margin)["ALL"]
            caught = sum(goes_to_fallback(ranking, grid_threshold, margin) for ranking in rankings[len(validation):])
            cells.append(f"t={grid_threshold}: {f1:.3f} ({caught})")
        print(f"  w={grid_weight:<4} " + "  ".join(cells))


if __name__ == "__main__":
    main()
