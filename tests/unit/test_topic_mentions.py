"""A message that names a rights topic ("asylum", "ordem de saída", "لجوء") gets that topic's answer: the
entity lexicon finds the name (data/nlu/<lang>/topics.yml lookups), choose_topic prefers it."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.entity_lexicon import TOPIC, TOPIC_TABLE_PREFIX, EntityLexicon, build_lexicon_phrases
from i18n.languages import SUPPORTED
from i18n.catalogs import translate
from knowledge.repository import all_topics, choose_topic, suggested_topics
from replies.catalog_replies import render
from tests.unit.test_catalog_rendering import context
from settings import ROOT, get_settings

NLU = ROOT / "data" / "nlu"


def topic_tables() -> list[tuple[Path, dict]]:
    tables = []
    for language in SUPPORTED:
        data = yaml.safe_load((NLU / language / "topics.yml").read_text(encoding="utf-8"))
        tables += [(NLU / language / "topics.yml", entry) for entry in data["nlu"] if "lookup" in entry]
    return tables


@pytest.fixture(scope="module")
def lexicon() -> EntityLexicon:
    lookups = [{"name": entry["lookup"], "elements": [line[2:].strip() for line in entry["examples"].splitlines()
                                                      if line.startswith("- ")]}
               for _, entry in topic_tables()]
    settings = get_settings()
    return EntityLexicon(build_lexicon_phrases(lookups, []), settings.gazetteer_csv, settings.deployment_country)


def test_every_topic_table_names_a_topic_and_every_language_has_the_new_topics() -> None:
    topics = all_topics()
    named: dict[str, set[str]] = {}
    for path, entry in topic_tables():
        topic = entry["lookup"].removeprefix(TOPIC_TABLE_PREFIX)
        assert entry["lookup"].startswith(TOPIC_TABLE_PREFIX) and topic in topics, (path, entry["lookup"])
        named.setdefault(path.parent.name, set()).add(topic)
    for language in SUPPORTED:
        assert {"asylum", "police_stop", "aima_procedures", "scams", "complaints", "discrimination",
                "family_reunification", "nationality", "nif_niss", "voluntary_return", "domestic_workers",
                "dismissal_unemployment", "temporary_protection", "diploma_recognition"} <= named[language]


@pytest.mark.parametrize("text, expected", [
    ("how do i ask for asylum", "asylum"),
    ("a policia parou me e pediu documentos", "police_stop"),
    ("recebi uma notificação para abandono voluntario", "police_stop"),
    ("someone sold me an AIMA appointment for 300 euros", "scams"),
    ("mon titre de séjour a expiré et AIMA ne répond pas", "aima_procedures"),
    ("بدي اقدم لجوء", "asylum"),
    ("quero trazer a minha mulher, reagrupamento familiar", "family_reunification"),
    ("fui despedido sem justa causa", "dismissal_unemployment"),
])
def test_a_named_topic_is_found_in_the_message(lexicon: EntityLexicon, text: str, expected: str) -> None:
    assert expected in [e["value"] for e in lexicon.extract(text) if e["entity"] == TOPIC]


def test_the_named_topic_wins_within_its_intent_and_is_offered_under_another() -> None:
    assert choose_topic("ask_legal_help", mentioned=["asylum"]).id == "asylum"
    assert choose_topic("ask_legal_help").id == "legal_help"  # nothing named: the intent's default
    # "Can asylum seekers' children go to school?" is a school question: the school answer, and asylum
    # offered first among the buttons.
    school = choose_topic("ask_education", mentioned=["asylum"])
    assert school.id == "school" and suggested_topics(school, ["asylum"]) == ["asylum"]
    reply = render("utter_rights_answer", context("en", {"topic": "school", "suggest": ["asylum"]}))
    titles = [b["title"] for b in reply.buttons]
    assert titles[2] == translate("topic.asylum.title", "en")  # after "find a place" and "more detail"
    # A button's topic always wins.
    assert choose_topic("ask_legal_help", asked_topic="detention", mentioned=["asylum"]).id == "detention"
    assert choose_topic("find_service", mentioned=["asylum"]) is None  # not a rights question
    # "Will you tell AIMA? Will they deport me?" is about this chat, whatever topic words it has.
    assert choose_topic("ask_privacy", mentioned=["police_stop"]).id == "chat_privacy"
