"""Language identification on held-out chat messages: ours against raw fastText lid.176, same run.

    make bench-langid
"""
from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path

from bench.heldout import length_bucket, load_heldout
from bot.langid.core import OTHER, LanguageIdentifier, lid176_path
from bot.langid.training import load_or_train
from i18n.languages import SUPPORTED
from settings import ROOT, STATE_DIR


def raw_lid176(model, text: str) -> str:  # type: ignore[no-untyped-def]
    label = model.predict(" ".join(text.lower().split()), k=1)[0][0].removeprefix("__label__")
    return label if label in SUPPORTED else OTHER


UNSUPPORTED_FILE = Path(__file__).resolve().parent / "data" / "unsupported.txt"


def unsupported_messages() -> list[tuple[str, str]]:
    """(language, message) in languages we do not support: each should be answered "other"."""
    messages = []
    for line in UNSUPPORTED_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            language, text = line.split("\t", 1)
            messages.append((language, text))
    return messages


def main() -> None:
    import fasttext

    fasttext.FastText.eprint = lambda *args, **kwargs: None
    examples = load_heldout()
    ours = LanguageIdentifier.load(Path(load_or_train(ROOT / "data" / "nlu", STATE_DIR / "langid")))
    lid = fasttext.load_model(str(lid176_path()))

    hits: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # ours, lid, total
    start = time.perf_counter()
    our_codes = [ours.identify(e.text).code for e in examples]
    our_time = time.perf_counter() - start
    start = time.perf_counter()
    lid_codes = [raw_lid176(lid, e.text) for e in examples]
    lid_time = time.perf_counter() - start
    for example, our_code, lid_code in zip(examples, our_codes, lid_codes):
        for key in (example.language, f"  {length_bucket(example.text)}", "ALL"):
            hits[key][0] += our_code == example.language
            hits[key][1] += lid_code == example.language
            hits[key][2] += 1

    print(f"{len(examples)} held-out messages (bench/data/heldout), none in any training file\n")
    print(f"{'language':<12}{'ours':>8}{'lid.176':>9}{'ratio':>8}{'n':>6}")
    for key in [*sorted(k for k in hits if k in SUPPORTED), *sorted(k for k in hits if k.startswith("  ")), "ALL"]:
        ours_hits, lid_hits, total = hits[key]
        ratio = f"{ours_hits / lid_hits:.2f}x" if lid_hits else "inf"
        print(f"{key:<12}{ours_hits / total:>8.1%}{lid_hits / total:>9.1%}{ratio:>8}{total:>6}")
    ours_hits, lid_hits, total = hits["ALL"]
    print(f"\nerrors: ours {1 - ours_hits / total:.1%}, lid.176 {1 - lid_hits / total:.1%}: "
          f"{(total - lid_hits) / max(1, total - ours_hits):.1f}x fewer errors (target 3x)")
    refused = sum(code == OTHER for code in our_codes)
    unsupported = unsupported_messages()
    caught_ours = sum(ours.identify(text).code == OTHER for _, text in unsupported)
    caught_lid = sum(raw_lid176(lid, text) == OTHER for _, text in unsupported)
    print(f"\nunsupported languages (bench/data/unsupported.txt): ours answers \"other\" for {caught_ours} of "
          f"{len(unsupported)}, lid.176 for {caught_lid}; supported-language messages we call \"other\": "
          f"{refused} of {len(examples)}")
    per_message_ours = our_time / len(examples) * 1000
    print(f"\nper message: ours {per_message_ours:.3f} ms; ours / lid.176 time ratio "
          f"{our_time / lid_time:.1f}x (budget: under 0.1 ms a message)")


if __name__ == "__main__":
    main()
