"""Retraining follows code changes: Rasa's training cache keys components by config and inputs only, so
each of our components adds a fingerprint of our model code (bot/model_code.py)."""
from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import yaml

import bot.model_code as model_code
from settings import ROOT


def our_components() -> list[type]:
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    classes = []
    for step in pipeline:
        module_name, _, class_name = step["name"].rpartition(".")
        if module_name.startswith("bot."):
            classes.append(getattr(importlib.import_module(module_name), class_name))
    return classes


def test_every_component_of_ours_in_the_pipeline_carries_the_code_fingerprint() -> None:
    components = our_components()
    assert len(components) >= 5
    for component in components:
        # The safety layer adds its own data's fingerprint after it (bot/components/safety_layer.py).
        assert component.fingerprint_addon({}).startswith(model_code.model_code_fingerprint()), component.__name__


def test_the_fingerprint_changes_when_a_source_file_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("A = 1\n")
    (tmp_path / "b.py").write_text("B = 1\n")
    monkeypatch.setattr(model_code, "ROOT", tmp_path)
    before = model_code.fingerprint(("pkg", "b.py"))
    (tmp_path / "pkg" / "a.py").write_text("A = 2\n")
    assert model_code.fingerprint(("pkg", "b.py")) != before


def test_the_launcher_retrains_for_the_same_code_rasa_fingerprints() -> None:
    from launcher.training import MODEL_INPUTS

    assert set(model_code.MODEL_CODE) <= set(MODEL_INPUTS)
    for entry in model_code.MODEL_CODE:
        assert (ROOT / entry).exists(), entry
