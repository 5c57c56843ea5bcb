"""A linear risk classifier: seven classes (no risk and the six categories), over character n-grams,
words and word pairs of the folded text, with TF-IDF weights and multinomial logistic regression.

Why this and not fastText or DIET: on a few thousand examples per class a linear model over character
n-grams generalises to spelling variants, dialect and missing accents as well as anything we can train
here, it is deterministic, and it is small. Training uses scikit-learn (in the bot's environment);
prediction is a few dictionary lookups and one small matrix product in numpy, about 0.1 ms, so the
model can read every message without slowing the reply (scikit-learn's own pipeline takes ~2 ms)."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from safety.categories import CATEGORIES, NOT_RISK

LABELS: tuple[str, ...] = (NOT_RISK, *CATEGORIES)
CHAR_NGRAMS = (3, 5)
WEIGHTS_FILE = "safety_weights.npz"
VOCABULARY_FILE = "safety_vocabulary.json"


def features(folded: str) -> list[str]:
    """Character n-grams inside word boundaries (as scikit-learn's char_wb), whole words and word pairs,
    from text that is already folded (lower case, no accents). Chosen on a validation split of the training
    data (bench/safety_validation.py): 3-5 letters and word pairs beat 2-5 letters and word prefixes."""
    found: list[str] = []
    low, high = CHAR_NGRAMS
    words = folded.split()
    for word in words:
        padded = f" {word} "
        for size in range(low, min(high, len(padded)) + 1):
            found.extend("c" + padded[i : i + size] for i in range(len(padded) - size + 1))
    found.extend("w" + word for word in words)
    found.extend(f"b{first} {second}" for first, second in zip(words, words[1:]))
    return found


class RiskClassifier:
    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> None:
        self._vocabulary = vocabulary
        self._idf = idf
        self._weights = weights
        self._bias = bias

    @classmethod
    def fit(cls, texts: Sequence[str], labels: Sequence[str], c: float = 10.0, min_df: int = 1) -> "RiskClassifier":
        """`texts` already folded; `labels` from LABELS. Features seen in fewer than `min_df` texts are
        dropped (smaller, faster model)."""
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.linear_model import LogisticRegression

        # Presence, not counts: a short message rarely repeats a feature, and it keeps prediction cheap.
        documents = [set(features(text)) for text in texts]
        if min_df > 1:
            seen = Counter(feature for document in documents for feature in document)
            documents = [{f for f in document if seen[f] >= min_df} for document in documents]
        vectorizer = DictVectorizer()
        counts = vectorizer.fit_transform(dict.fromkeys(document, 1) for document in documents)
        tfidf = TfidfTransformer()
        matrix = tfidf.fit_transform(counts)
        missing = set(LABELS) - set(labels)
        if missing:
            raise ValueError(f"no training examples for {', '.join(sorted(missing))}")
        model = LogisticRegression(C=c, max_iter=3000)
        model.fit(matrix, [LABELS.index(label) for label in labels])  # classes_ is then 0..6, LABELS order
        return cls(dict(vectorizer.vocabulary_), tfidf.idf_.astype(np.float32),
                   model.coef_.T.astype(np.float32).copy(), model.intercept_.astype(np.float32))

    @property
    def vocabulary(self) -> dict[str, int]:
        return self._vocabulary

    def probabilities(self, folded: str) -> dict[str, float]:
        ids = [index for index in map(self._vocabulary.get, set(features(folded))) if index is not None]
        if ids:
            vector = self._idf[ids]
            scores = (vector / float(np.sqrt(vector @ vector))) @ self._weights[ids] + self._bias
        else:
            scores = self._bias.copy()
        scores = np.exp(scores - scores.max())
        scores /= scores.sum()
        return dict(zip(LABELS, map(float, scores)))

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(directory / WEIGHTS_FILE, idf=self._idf, weights=self._weights, bias=self._bias)
        (directory / VOCABULARY_FILE).write_text(json.dumps(self._vocabulary, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> "RiskClassifier":
        arrays = np.load(directory / WEIGHTS_FILE)
        vocabulary = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        return cls(vocabulary, arrays["idf"], arrays["weights"], arrays["bias"])


def risk_of(probabilities: dict[str, float]) -> float:
    return 1.0 - probabilities.get(NOT_RISK, 1.0)


def likeliest_category(probabilities: dict[str, float], among: Iterable[str] = CATEGORIES) -> str:
    return max(among, key=lambda category: probabilities.get(category, 0.0))
