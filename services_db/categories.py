"""Service categories of the contract (DESIGN.md)."""
from __future__ import annotations

CATEGORIES: tuple[str, ...] = (
    "health", "mental_health", "sexual_reproductive_health", "education", "language_class", "housing",
    "shelter", "legal_aid", "work_rights", "food", "social_support", "women_support", "child_protection",
    "migrant_centre",
)
