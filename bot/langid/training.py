"""Trains our own small supervised fastText model on the NLU examples in data/nlu/<lang>/*.yml."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

from i18n.languages import SUPPORTED

# "[clinic]{...}" and "[Alfama](place)" become "clinic" and "Alfama".
_ANNOTATION = re.compile(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))")
_EDGE_PUNCTUATION = " .,;:!?¿¡'\"()"
TRAINING_PARAMS = dict(minn=2, maxn=4, dim=16, epoch=40, lr=0.5, wordNgrams=1, bucket=60_000, loss="softmax", verbose=0)


def intent_examples(path: Path) -> list[tuple[str, str]]:
    """(intent, text without entity annotations) for every example of a Rasa NLU file. Lookup tables are
    skipped: they are single words, too ambiguous across languages."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    pairs = []
    for block in document.get("nlu", []):
        if "intent" not in block:
            continue
        for line in (block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                pairs.append((block["intent"], _ANNOTATION.sub(r"\1", line[2:]).strip()))
    return pairs


def labelled_examples(nlu_dir: Path) -> list[tuple[str, str]]:
    pairs = []
    for language_dir in sorted(p for p in nlu_dir.iterdir() if p.is_dir() and p.name in SUPPORTED):
        for path in sorted(language_dir.glob("*.yml")):
            pairs.extend((language_dir.name, text) for _, text in intent_examples(path) if text)
    return pairs


def shared_single_words(nlu_dir: Path) -> set[str]:
    """One-word messages our data lists under several languages ("no", "ok", "sim", "salam", "hello"):
    such a word alone says nothing about which language the conversation is in."""
    languages_of: dict[str, set[str]] = {}
    for language, text in labelled_examples(nlu_dir):
        words = text.lower().strip(_EDGE_PUNCTUATION).split()
        if len(words) == 1:
            languages_of.setdefault(words[0], set()).add(language)
    return {word for word, languages in languages_of.items() if len(languages) > 1}


def single_word(text: str) -> str | None:
    words = text.lower().strip(_EDGE_PUNCTUATION).split()
    return words[0] if len(words) == 1 else None


def data_fingerprint(nlu_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(nlu_dir.rglob("*.yml")):
        digest.update(path.as_posix().encode())
        digest.update(path.read_bytes())
    digest.update(repr(TRAINING_PARAMS).encode())
    return digest.hexdigest()[:16]


def train(nlu_dir: Path, output: Path) -> Any:
    import fasttext

    pairs = labelled_examples(nlu_dir)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as handle:
        for language, text in pairs:
            handle.write(f"__label__{language} {' '.join(text.lower().split())}\n")
        training_file = handle.name
    try:
        params = dict(TRAINING_PARAMS)
        for _ in range(4):
            try:
                model = fasttext.train_supervised(input=training_file, seed=7, thread=1, **params)
                break
            except RuntimeError as error:  # "Encountered NaN": the learning rate was too high for this data
                if "NaN" not in str(error):
                    raise
                params["lr"] = float(params["lr"]) / 2
        else:
            raise RuntimeError("fastText training diverged at every learning rate tried")
    finally:
        Path(training_file).unlink(missing_ok=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    model.save_model(str(output))
    return model


def load_or_train(nlu_dir: Path, cache_dir: Path) -> Path:
    """The cached model for the current data, trained first (in a fresh interpreter) if the data changed."""
    path = cache_dir / f"langid-{data_fingerprint(nlu_dir)}.ftz"
    if not path.exists():
        for stale in cache_dir.glob("langid-*.ftz"):
            stale.unlink()
        train_in_fresh_interpreter(nlu_dir, path)
    return path


def train_in_fresh_interpreter(nlu_dir: Path, output: Path) -> None:
    """`train` in a new Python process. Inside a process that has loaded other native libraries (a test
    session, a benchmark, `rasa train` with TensorFlow), fastText was seen to diverge ("Encountered NaN")
    at every learning rate, while the same data trained fine on its own."""
    # The child finds the project through .venv's editable install (scripts/setup.sh), not PYTHONPATH.
    env = dict(os.environ)
    output.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "bot.langid.training", str(nlu_dir), str(output)], check=True, env=env)


if __name__ == "__main__":
    train(Path(sys.argv[1]), Path(sys.argv[2]))
