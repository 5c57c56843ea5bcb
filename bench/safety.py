"""The safety layer on the evaluation set (bench/safety_data.py), against the baseline of the intent model's
`emergency` intent, in the same run: recall per category and per language, false alarms on ordinary
messages, and the time the layer adds to each message.

    make bench-safety                 (SAFETY_BENCH_BASELINE=0 skips the Rasa model: detector only)

"Recall" counts every risk message that gets a safety reply: the category's emergency reply or the
gentle "are you safe right now?" with the emergency number. "Danger" counts only the first. A false alarm
is any safety reply to an ordinary message. Targets (issue 15): recall >= 98% overall and >= 95% in every
language, false alarms <= 3%, under 1 ms added per message.

Errors are not printed unless SAFETY_BENCH_SHOW_ERRORS=1: a message read closely moves to the training
side, and fresh evaluation messages are written (see README, "Safety")."""
from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections import defaultdict

from bench.safety_data import Case, load_cases
from safety.categories import CATEGORIES, CHECK, DANGER, NONE
from safety.detector import SafetyDetector, Verdict
from safety.training import load_or_train
from settings import STATE_DIR

TIMING_PASSES = 3


def detector_verdicts(detector: SafetyDetector, cases: list[Case]) -> tuple[list[Verdict], list[float]]:
    detector.assess("warm up")
    verdicts = [detector.assess(case.text) for case in cases]
    times = []
    for _ in range(TIMING_PASSES):
        for case in cases:
            start = time.perf_counter()
            detector.assess(case.text)
            times.append(time.perf_counter() - start)
    return verdicts, times


def rasa_parses(cases: list[Case]) -> tuple[list[dict], list[float]]:
    """The full NLU parse of each case by the trained model: its intent ranking is the baseline (the intent
    model's own `emergency`, before the safety layer), its final intent what the user gets."""
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    from launcher.training import ensure_model

    configure_structlog(logging.WARNING)
    agent = Agent.load(str(ensure_model()))

    async def parse_all() -> tuple[list[dict], list[float]]:
        await agent.parse_message("warm up")
        parses, times = [], []
        for case in cases:
            start = time.perf_counter()
            parses.append(await agent.parse_message(case.text))
            times.append(time.perf_counter() - start)
        return parses, times

    return asyncio.run(parse_all())


def intent_model_says_emergency(parse: dict) -> bool:
    ranking = parse.get("intent_ranking") or []
    return bool(ranking) and ranking[0].get("name") == "emergency"


def served_level(parse: dict) -> str:
    """The safety reply a parse leads to: the layer's level, or the check when only the intent model said
    `emergency` (actions/safety.py)."""
    level = (parse.get("safety") or {}).get("level") or NONE
    return CHECK if level == NONE and parse["intent"]["name"] == "emergency" else level


def _table(title: str, groups: dict[str, list[tuple[Case, bool, bool, bool]]]) -> None:
    """Rows of (case, flagged by us, danger level, flagged by the baseline)."""
    print(f"\n{title:<20}{'recall':>8}{'danger':>8}{'baseline':>10}{'ratio':>8}{'n':>5}")
    for name, rows in groups.items():
        recall = sum(flagged for _, flagged, _, _ in rows) / len(rows)
        danger = sum(is_danger for _, _, is_danger, _ in rows) / len(rows)
        baseline = sum(base for _, _, _, base in rows) / len(rows)
        ratio = f"{recall / baseline:.2f}x" if baseline else "inf"
        print(f"{name:<20}{recall:>8.1%}{danger:>8.1%}{baseline:>10.1%}{ratio:>8}{len(rows):>5}")


def report(cases: list[Case], flagged: list[str], baseline: list[bool], label: str) -> dict[str, float]:
    """Prints recall and false alarms for one system; returns the headline numbers."""
    risk = [(c, level != NONE, level == DANGER, b) for c, level, b in zip(cases, flagged, baseline) if c.category]
    ordinary = [(c, level != NONE, b) for c, level, b in zip(cases, flagged, baseline) if not c.category]
    print(f"\n=== {label} ===")
    by_language: dict[str, list] = defaultdict(list)
    by_category: dict[str, list] = defaultdict(list)
    for row in risk:
        by_language[row[0].language].append(row)
        by_category[row[0].category].append(row)
        by_category[f"  {row[0].style}"].append(row)
    _table("language", {k: by_language[k] for k in sorted(by_language)} | {"ALL": risk})
    _table("category / style", {k: by_category[k] for k in [*CATEGORIES, *sorted(k for k in by_category if k.startswith("  "))]
                                if k in by_category})
    print(f"\n{'false alarms':<20}{'ours':>8}{'baseline':>10}{'n':>6}")
    alarm_groups: dict[str, list] = defaultdict(list)
    for row in ordinary:
        alarm_groups[row[0].language].append(row)
        alarm_groups[f"  {row[0].style}"].append(row)
    for name in [*sorted(k for k in alarm_groups if not k.startswith("  ")), *sorted(k for k in alarm_groups if k.startswith("  "))]:
        rows = alarm_groups[name]
        print(f"{name:<20}{sum(f for _, f, _ in rows) / len(rows):>8.1%}{sum(b for _, _, b in rows) / len(rows):>10.1%}{len(rows):>6}")
    overall_recall = sum(f for _, f, _, _ in risk) / len(risk)
    worst = min(sum(f for _, f, _, _ in rows) / len(rows) for rows in by_language.values())
    alarms = sum(f for _, f, _ in ordinary) / len(ordinary)
    print(f"{'ALL':<20}{alarms:>8.1%}{sum(b for _, _, b in ordinary) / len(ordinary):>10.1%}{len(ordinary):>6}")
    print(f"\nrecall {overall_recall:.1%} (target >= 98%), lowest language {worst:.1%} (target >= 95%), "
          f"false alarms {alarms:.1%} (target <= 3%)")
    return {"recall": overall_recall, "worst_language": worst, "false_alarms": alarms}


def show_errors(cases: list[Case], verdicts: list[Verdict]) -> None:
    for case, verdict in zip(cases, verdicts):
        missed = case.category and verdict.level == NONE
        alarm = not case.category and verdict.level != NONE
        wrong_category = case.category and verdict.level == DANGER and verdict.category != case.category
        if missed or alarm or wrong_category:
            kind = "MISS" if missed else "ALARM" if alarm else f"CATEGORY {verdict.category}"
            print(f"{kind:<28} {case.language} {case.category or '-':<24} {verdict.signal:.2f} {case.text}")


def main() -> None:
    cases, left_out = load_cases()
    n_risk = sum(1 for c in cases if c.category)
    print(f"{n_risk} risk and {len(cases) - n_risk} ordinary messages (bench/data/safety + held-out); "
          f"{left_out} left out because the same text is in a training file")
    detector = SafetyDetector.load(load_or_train(STATE_DIR / "cache"))
    verdicts, detector_times = detector_verdicts(detector, cases)
    with_baseline = os.environ.get("SAFETY_BENCH_BASELINE", "1") != "0"
    parses, parse_times = rasa_parses(cases) if with_baseline else ([{}] * len(cases), [])
    baseline = [intent_model_says_emergency(p) for p in parses]
    report(cases, [v.level for v in verdicts], baseline, "safety layer (detector) vs intent model `emergency`")
    if with_baseline:
        # What the user gets: the layer's verdict, or the intent model's `emergency` (answered with the check).
        report(cases, [served_level(p) for p in parses], baseline,
               "the running bot (layer + intent model, as the user gets it)")
    flagged = [(c, v) for c, v in zip(cases, verdicts) if c.category and v.level == DANGER]
    right = sum(v.category == c.category for c, v in flagged)
    print(f"\nright category among danger replies: {right}/{len(flagged)} ({right / max(1, len(flagged)):.1%})")
    mean_ms = statistics.mean(detector_times) * 1000
    p95_ms = statistics.quantiles(detector_times, n=20)[18] * 1000
    line = f"\nadded latency: {mean_ms:.3f} ms mean, {p95_ms:.3f} ms p95 per message (budget < 1 ms)"
    if parse_times:
        line += f"; {mean_ms / (statistics.mean(parse_times) * 1000):.1%} of a full NLU parse " \
                f"({statistics.mean(parse_times) * 1000:.1f} ms) measured in this run"
    print(line)
    if os.environ.get("SAFETY_BENCH_SHOW_ERRORS") == "1":
        show_errors(cases, verdicts)


if __name__ == "__main__":
    main()
