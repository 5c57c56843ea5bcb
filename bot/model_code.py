"""The source files whose code shapes a trained model, and one fingerprint of them.

Why: Rasa caches each trained component by its config and its inputs, not by its code. Without this, a
change to how our components work (say, new features in the linear intent model) is silently replaced by
the cached result of the old code at the next `rasa train`. Our components add this fingerprint to
theirs (`fingerprint_addon`), and the launcher hashes the same files to decide when to retrain."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from settings import ROOT

MODEL_CODE = ("bot/components", "bot/langid", "bot/entity_lexicon.py", "bot/intent_ensemble.py",
              "bot/model_code.py", "services_db/text_normalise.py")


def source_files(entries: tuple[str, ...]) -> list[Path]:
    files: list[Path] = []
    for entry in entries:
        path = ROOT / entry
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts))
        else:
            files.append(path)
    return files


def fingerprint(entries: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for file in source_files(entries):
        digest.update(file.relative_to(ROOT).as_posix().encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def model_code_fingerprint() -> str:
    return fingerprint(MODEL_CODE)
