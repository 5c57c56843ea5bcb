"""The English source of every translatable message: locales/source/*.yml and knowledge/topics/*.yml.

A message is identified by a key (the gettext msgctxt) and its English text (the msgid).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "locales" / "source"
TOPICS_DIR = ROOT / "knowledge" / "topics"


@dataclass(frozen=True)
class SourceMessage:
    key: str
    text: str
    comment: str
    origin: str  # "file:line"-ish location for translators


def _message_file_entries(path: Path) -> list[SourceMessage]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        SourceMessage(key, entry["text"], entry.get("comment", ""), path.relative_to(ROOT).as_posix())
        for key, entry in data.items()
    ]


def legal_basis_key(citation: str) -> str:
    return "basis:" + citation


def _version_entries(data: dict, key: str, origin: str) -> list[SourceMessage]:
    """The texts of one version of a topic (the baseline, or a country's overlay)."""
    entries = [
        SourceMessage(f"{key}.answer", data["answer"],
                      "Rights answer shown on a phone screen. Keep sentences short; keep every {placeholder}.", origin),
        SourceMessage(f"{key}.detail", data["detail"],
                      "The 'more detail' message of a rights topic. Short sentences; keep every {placeholder}.",
                      origin),
    ]
    if data.get("risk"):
        entries.append(SourceMessage(f"{key}.risk", data["risk"],
                                     "Warning shown in the main answer, after 'Before you go:'. Say the risk plainly; "
                                     "short sentences.", origin))
    if data.get("condition"):
        entries.append(SourceMessage(f"{key}.condition", data["condition"],
                                     "Completes the sentence 'This depends: ...'.", origin))
    for source in data.get("legal_basis") or []:
        citation = source["cite"] if isinstance(source, dict) else str(source)
        entries.append(SourceMessage(
            legal_basis_key(citation), citation,
            "Name of a law or treaty with its article. Use the official name in your language if there is one; "
            "keep numbers.", origin))
    return entries


def _topic_entries(path: Path) -> list[SourceMessage]:
    topic = yaml.safe_load(path.read_text(encoding="utf-8"))
    origin = path.relative_to(ROOT).as_posix()
    key = f"topic.{topic['id']}"
    entries = [SourceMessage(f"{key}.title", topic["title"],
                             "Name of a rights topic, shown on a button: at most 20 characters.", origin)]
    entries += _version_entries(topic, key, origin)
    for country, overlay in (topic.get("overlays") or {}).items():
        entries += _version_entries(overlay, f"{key}.{country}", origin)
    return entries


@lru_cache(maxsize=1)
def all_messages() -> tuple[SourceMessage, ...]:
    seen: dict[str, SourceMessage] = {}
    for path in sorted(SOURCE_DIR.glob("*.yml")):
        for message in _message_file_entries(path):
            seen.setdefault(message.key, message)
    for path in sorted(TOPICS_DIR.glob("*.yml")):
        for message in _topic_entries(path):
            seen.setdefault(message.key, message)
    return tuple(seen.values())


@lru_cache(maxsize=1)
def english_by_key() -> dict[str, str]:
    return {message.key: message.text for message in all_messages()}
