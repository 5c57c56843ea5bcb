"""The folding the safety layer reads text with: the project's own (services_db.text_normalise.fold: lower
case, no accents, Arabic and Persian letter variants merged) plus Ge'ez letters that Eritrean and
Ethiopian writers use for the same sound (ሐ/ኀ for ሀ, ሠ for ሰ, ፀ for ጸ, ቐ for ቀ, ኣ for አ): without it a
Tigrinya phrase needs one copy per spelling, and the classifier learns each spelling separately.
Applied alike to the lexicon's phrases, to the training texts and to every message."""
from __future__ import annotations

from services_db.text_normalise import fold as base_fold


def _family(first_variant: int, first_target: int, size: int = 8) -> dict[int, int]:
    """Each of the seven vowel orders (and the labialised eighth) of one letter onto the same order of another."""
    return {first_variant + order: first_target + order for order in range(size)}


_GEEZ_VARIANTS = {
    **_family(0x1210, 0x1200),  # ሐ → ሀ
    **_family(0x1280, 0x1200, 7),  # ኀ → ሀ
    **_family(0x1220, 0x1230),  # ሠ → ሰ
    **_family(0x1340, 0x1338, 7),  # ፀ → ጸ
    **_family(0x1250, 0x1240, 7),  # ቐ → ቀ
    0x12A3: 0x12A0,  # ኣ → አ
}


def fold(text: str) -> str:
    return base_fold(text).translate(_GEEZ_VARIANTS)
