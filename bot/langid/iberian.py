"""Spanish or Portuguese: common words that only one of the two has.

Short Spanish and Portuguese messages share most of their letters ("claro", "que", "por favor"), and both
fastText models then often lean to Spanish. A handful of everyday words
settle it: "sim", "não", "obrigado", "você", "tenho" are never Spanish, and "sí", "gracias", "usted",
"tengo" never Portuguese. Only these function words count, not nouns: Spanish speakers in Lisbon borrow
Portuguese nouns ("renda", "utente") while they keep their own small words."""
from __future__ import annotations

import re

PORTUGUESE_ONLY = frozenset(
    "sim não nao você voce vc vcs obrigado obrigada tenho também tambem muito muita estou preciso quero isso "
    "onde meu minha eu com uma".split()
)
SPANISH_ONLY = frozenset(
    "sí gracias usted ustedes tengo también muy estoy necesito quiero eso dónde donde mi yo con una hola".split()
)
_WORD = re.compile(r"\w+")


def iberian_hint(text: str) -> str | None:
    """"pt" or "es" when the message has words of one of them only, else None."""
    words = set(_WORD.findall(text.lower()))
    portuguese, spanish = bool(words & PORTUGUESE_ONLY), bool(words & SPANISH_ONLY)
    if portuguese != spanish:
        return "pt" if portuguese else "es"
    return None
