"""A linear intent model (TF-IDF over character n-grams, words and word prefixes of the folded text;
logistic regression), and the mix with another classifier's ranking when one runs before it.
Rasa-free: bot/components/intent_ensemble.py wraps it.

Why linear: its probabilities are calibrated, so a message nothing resembles ("asdkjh qwe") gets a low
confidence and goes to the fallback. DIET was mixed in at 0.2 until December 2026: the two made different
mistakes, but on the validation split the mix gained 0.001 macro-F1 over the linear model alone, for most of
the training time, the model's size and ~4 ms a parse (make bench-nlu-validation)."""
from __future__ import annotations

import pickle
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable

from services_db.text_normalise import fold

# The weight of a neural classifier's ranking (DIET) if one runs before; none does since DIET left the
# pipeline (config.yml), so the linear model decides alone.
DIET_WEIGHT = 0.0
PREFIX_LETTERS = 4
# L-BFGS stops here, before full convergence (~210 iterations): measured on 2 cores, 18,796 examples, the
# fit takes 69 s instead of 162 s, for 0.9483 instead of 0.9492 accuracy and 0.9590 instead of 0.9591
# macro-F1 on bench/data/heldout, and 0.9041 instead of 0.9045 macro-F1 on the validation split.
MAX_ITERATIONS = 100


def word_prefixes(text: str) -> list[str]:
    """The first letters of each word, a crude stem: Turkish and Somali glue endings onto words ("okula",
    "okulda", "okullar" all start "okul"), which whole-word features would count as different words.
    Module-level so the fitted model can be pickled. Chosen on a validation split of data/nlu (never on
    bench/): 4 letters beat 5 and 6."""
    return [word[:PREFIX_LETTERS] for word in text.split()]


class CompiledLinearModel:
    """The fitted pipeline's arithmetic for one message, without scikit-learn's per-call overhead.

    A profile under load put ~10% of the Rasa process's CPU in `Pipeline.predict_proba` for one short
    text, most of it not arithmetic: joblib dispatch of the feature union, `check_is_fitted`, each
    vectorizer rebuilding its idf vector from a sparse diagonal, and a copy of the transposed weight
    matrix. Here the same features (each vectorizer's own analyzer and vocabulary), the same sublinear
    tf-idf and l2 norm per vectorizer, and the same multinomial softmax are computed directly;
    tests/unit/test_intent_ensemble.py checks the probabilities equal the pipeline's on every
    training text."""

    def __init__(self, pipeline: Any) -> None:
        union, classifier = pipeline.steps[0][1], pipeline.steps[-1][1]
        if union.transformer_weights is not None:
            raise ValueError("only an unweighted feature union is compiled")
        # Two intents: one weight column and a logistic; more: one column per intent and a softmax.
        self._binary = classifier.coef_.shape[0] == 1
        self.classes: list[str] = [str(name) for name in classifier.classes_]
        self._parts: list[tuple[Callable[[str], list[str]], dict[str, int], Any, int, bool]] = []
        offset = 0
        for _, vectorizer in union.transformer_list:
            if vectorizer.norm != "l2" or not vectorizer.use_idf or vectorizer.binary:
                raise ValueError("only l2-normalised tf-idf vectorizers are compiled")
            self._parts.append((vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_.copy(), offset,
                                bool(vectorizer.sublinear_tf)))
            offset += len(vectorizer.vocabulary_)
        import numpy as np

        self._np = np
        self._weights = np.ascontiguousarray(classifier.coef_.T)  # features x classes
        self._bias = classifier.intercept_.copy()

    def probabilities(self, text: str) -> dict[str, float]:
        np = self._np
        scores = self._bias.copy()
        for analyzer, vocabulary, idf, offset, sublinear in self._parts:
            counts = Counter(index for index in map(vocabulary.get, analyzer(text)) if index is not None)
            if not counts:
                continue
            ids = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            if sublinear:
                values = np.log(values) + 1.0
            values *= idf[ids]
            values /= np.sqrt(values @ values)
            scores += values @ self._weights[ids + offset]
        if self._binary:
            positive = 1.0 / (1.0 + np.exp(-scores[0]))
            return dict(zip(self.classes, (1.0 - float(positive), float(positive))))
        scores = np.exp(scores - scores.max())
        scores /= scores.sum()
        return dict(zip(self.classes, map(float, scores)))


class LinearIntentModel:
    def __init__(self, pipeline: object | None = None) -> None:
        self._pipeline = pipeline
        self._compiled: CompiledLinearModel | None = None

    @staticmethod
    def _text(text: str) -> str:
        # Folded, so "çocuğum okula gidebilir mi" and "cocugum okula gidebilir mi" share their n-grams.
        return " ".join(fold(text).split())

    def fit(self, examples: Iterable[tuple[str, str]]) -> "LinearIntentModel":
        import warnings

        from sklearn.exceptions import ConvergenceWarning
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        texts, intents = zip(*[(self._text(text), intent) for text, intent in examples])
        with warnings.catch_warnings():
            # Stopping early is chosen (MAX_ITERATIONS), not a problem to warn about.
            warnings.simplefilter("ignore", ConvergenceWarning)
            self._pipeline = make_pipeline(
                make_union(TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True),
                           TfidfVectorizer(analyzer="word", sublinear_tf=True),
                           TfidfVectorizer(analyzer=word_prefixes, sublinear_tf=True)),
                LogisticRegression(C=20.0, max_iter=MAX_ITERATIONS),
            ).fit(list(texts), list(intents))
        return self

    def probabilities(self, text: str) -> dict[str, float]:
        if self._pipeline is None:
            return {}
        if self._compiled is None:
            self._compiled = CompiledLinearModel(self._pipeline)
        return self._compiled.probabilities(self._text(text))

    def pipeline_probabilities(self, text: str) -> dict[str, float]:
        """scikit-learn's own answer, the reference the compiled arithmetic is checked against."""
        if self._pipeline is None:
            return {}
        probabilities = self._pipeline.predict_proba([self._text(text)])[0]  # type: ignore[attr-defined]
        return dict(zip(self._pipeline.classes_, map(float, probabilities)))  # type: ignore[attr-defined]

    def save(self, path: Path) -> None:
        path.write_bytes(pickle.dumps(self._pipeline))

    @classmethod
    def load(cls, path: Path) -> "LinearIntentModel":
        model = cls(pickle.loads(path.read_bytes()))  # noqa: S301 - a file we trained, inside our model
        model._compiled = CompiledLinearModel(model._pipeline)  # at load time, not in a user's message
        return model


def combine(diet: dict[str, float], linear: dict[str, float], diet_weight: float = DIET_WEIGHT) -> list[tuple[str, float]]:
    """Both rankings mixed, best first. An intent one model does not know counts as 0 there."""
    intents = set(diet) | set(linear)
    scores = {i: diet_weight * diet.get(i, 0.0) + (1 - diet_weight) * linear.get(i, 0.0) for i in intents}
    return sorted(scores.items(), key=lambda item: item[1], reverse=True)
