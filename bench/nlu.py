"""Intent accuracy and macro-F1 per language on held-out messages, for our trained Rasa model and for a
plain fastText intent classifier trained on the same data in the same run (the baseline).

    make bench-nlu
"""
from __future__ import annotations

import asyncio
import tempfile
from collections import defaultdict
from pathlib import Path

from bench.heldout import HeldOut, load_heldout
from bot.langid.training import intent_examples
from launcher.training import ensure_model
from settings import ROOT


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    labels = {gold for gold, _ in pairs}
    scores = []
    for label in labels:
        tp = sum(1 for gold, pred in pairs if gold == label and pred == label)
        fp = sum(1 for gold, pred in pairs if gold != label and pred == label)
        fn = sum(1 for gold, pred in pairs if gold == label and pred != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def training_pairs() -> list[tuple[str, str]]:
    return [(intent, text.lower()) for path in sorted((ROOT / "data" / "nlu").glob("*/*.yml"))
            for intent, text in intent_examples(path)]


def baseline_predictions(examples: list[HeldOut]) -> list[str]:
    import fasttext

    fasttext.FastText.eprint = lambda *args, **kwargs: None
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as handle:
        for intent, text in training_pairs():
            handle.write(f"__label__{intent} {' '.join(text.split())}\n")
    model = fasttext.train_supervised(input=handle.name, minn=2, maxn=4, epoch=30, lr=0.5, dim=50, seed=7,
                                      thread=1, verbose=0)
    Path(handle.name).unlink()
    return [model.predict(" ".join(e.text.lower().split()))[0][0].removeprefix("__label__") for e in examples]


def our_predictions(examples: list[HeldOut]) -> tuple[list[str], list[str]]:
    """The intent model's choice (the top of its ranking, or the fallback) and the final intent after the
    safety layer, which turns any message with a danger signal into `emergency`."""
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # its debug lines would print every message

    agent = Agent.load(str(ensure_model()))

    async def parse_all() -> list[dict]:
        return [await agent.parse_message(e.text) for e in examples]

    parses = asyncio.run(parse_all())
    model = [(p.get("intent_ranking") or [p["intent"]])[0]["name"] for p in parses]
    return model, [p["intent"]["name"] for p in parses]


def main() -> None:
    examples = load_heldout()
    baseline = baseline_predictions(examples)
    model, final = our_predictions(examples)
    by_language: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
    for example, our, served, base in zip(examples, model, final, baseline):
        by_language[example.language].append((example.intent, our, served, base))
        by_language["ALL"].append((example.intent, our, served, base))
    print(f"{len(examples)} held-out messages (bench/data/heldout), none in any training file\n")
    print(f"{'language':<10}{'accuracy':>10}{'macro-F1':>10}{'baseline F1':>13}{'ratio':>8}"
          f"{'with safety':>13}{'n':>6}")
    for language in [*sorted(k for k in by_language if k != "ALL"), "ALL"]:
        rows = by_language[language]
        accuracy = sum(gold == our for gold, our, _, _ in rows) / len(rows)
        ours_f1 = macro_f1([(gold, our) for gold, our, _, _ in rows])
        served_f1 = macro_f1([(gold, served) for gold, _, served, _ in rows])
        base_f1 = macro_f1([(gold, base) for gold, _, _, base in rows])
        ratio = f"{ours_f1 / base_f1:.2f}x" if base_f1 else "inf"
        print(f"{language:<10}{accuracy:>10.1%}{ours_f1:>10.3f}{base_f1:>13.3f}{ratio:>8}{served_f1:>13.3f}{len(rows):>6}")
    print("\n'with safety': the final intent, after the safety layer turned every message with a danger signal "
          "into `emergency` (its false alarms count as errors here).")


if __name__ == "__main__":
    main()
