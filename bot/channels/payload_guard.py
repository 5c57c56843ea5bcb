"""Placeholder, replaced in this session: see bot/channels/inbound.py."""
from __future__ import annotations


def screen_payload(text: str) -> str:
    return text
