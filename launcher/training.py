"""Trains the Rasa model only when something it is built from changed (cache by content hash)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.model_code import MODEL_CODE, fingerprint
from settings import ROOT

MODELS_DIR = ROOT / "models"
# Everything the trained model depends on: data, domain, pipeline, our components' code, and the safety
# layer's code, lexicons and training data (its component alone retrains when only those change: Rasa's
# cache keeps the rest, see bot/components/safety_layer.py).
MODEL_INPUTS = ("config.yml", "bot/domain", "data", "safety", *MODEL_CODE)


def model_inputs_hash() -> str:
    return fingerprint(MODEL_INPUTS)


def subprocess_env() -> dict[str, str]:
    # No PYTHONPATH: `rasa` runs with .venv's Python, where scripts/setup.sh installed the project (editable).
    env = dict(os.environ)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")  # no outbound calls, ever
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return env


def ensure_model() -> Path:
    """The model for the current inputs, trained first if it does not exist yet."""
    name = f"model-{model_inputs_hash()}"
    model = MODELS_DIR / f"{name}.tar.gz"
    if model.exists():
        return model
    print(f"Training the model ({name}); this takes a few minutes the first time.", flush=True)
    # Rasa's command line, through our entry point: it installs the validators built once first.
    command = [
        str(Path(sys.executable).parent / "python"), "-m", "bot.rasa_entry", "train", "--config", "config.yml",
        "--domain", "bot/domain",
        "--data", "data", "--out", str(MODELS_DIR), "--fixed-model-name", name,
    ]
    subprocess.run(command, cwd=ROOT, env=subprocess_env(), check=True)
    for stale in MODELS_DIR.glob("model-*.tar.gz"):
        if stale != model:
            stale.unlink()
    return model
