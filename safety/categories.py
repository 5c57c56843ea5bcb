"""The safety categories (DESIGN.md, "Safety (contract)") and the levels of a verdict."""
from __future__ import annotations

SELF_HARM = "self_harm"
VIOLENCE_NOW = "violence_now"
MEDICAL_EMERGENCY = "medical_emergency"
TRAFFICKING_CONFINEMENT = "trafficking_confinement"
CHILD_AT_RISK = "child_at_risk"
IMMEDIATE_DANGER = "immediate_danger"

CATEGORIES: tuple[str, ...] = (
    SELF_HARM, VIOLENCE_NOW, MEDICAL_EMERGENCY, TRAFFICKING_CONFINEMENT, CHILD_AT_RISK, IMMEDIATE_DANGER,
)
NOT_RISK = "none"

# What the bot does with a verdict: DANGER gets the category's emergency reply at once; CHECK gets the
# gentle "are you safe right now?" with the emergency number; NONE lets the dialogue carry on.
DANGER = "danger"
CHECK = "check"
NONE = "none"
