"""The risk-phrase lexicon (safety/lexicon.py): its small syntax, its files, and its precision on the
ordinary messages we train on."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from safety.categories import CATEGORIES, NOT_RISK
from safety.lexicon import LEXICON_DIR, Lexicon, LexiconError, compile_phrase, default_lexicon
from safety.training import training_set
from safety.text import fold

LANGUAGES = ("en", "fr", "es", "pt", "ar", "fa", "ps", "uk", "ru", "tr", "so", "ti")


def matches(phrase: str, text: str) -> bool:
    pattern, _, _ = compile_phrase(phrase)
    return bool(pattern.search(fold(text)))


def test_words_are_whole_unless_a_star_says_otherwise() -> None:
    assert matches("kill myself", "I want to KILL myself")
    assert not matches("kill myself", "skill myselfie")
    assert matches("kill* myself", "thinking of killing myself")
    assert matches("*قتل*", "بدي اقتلو")  # Arabic clitics glued to the word
    assert matches("cocug*", "çocuğum nefes almıyor")  # folding: Turkish letters and accents
    assert matches("ሓገዝ ሕጂ", "ሃገዝ ህጂ")  # and Eritrean / Ethiopian spellings of the same Tigrinya word


def test_a_tilde_allows_up_to_three_words_in_between() -> None:
    assert matches("took ~ passport*", "they took all our passports")
    assert matches("took ~ passport*", "took passport")
    assert not matches("took ~ passport*", "took one two three four passport")


@pytest.mark.parametrize("phrase", ["", "~", "~ kill", "kill ~", "a * b"])
def test_malformed_phrases_are_refused(phrase: str) -> None:
    with pytest.raises(LexiconError):
        compile_phrase(phrase)


def test_a_bad_lexicon_file_is_named_in_the_error(tmp_path: Path) -> None:
    (tmp_path / "xx.yml").write_text("language: xx\nselfharm:\n  - kill myself\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="xx.yml.*selfharm"):
        Lexicon.load(tmp_path)


def test_idioms_are_blanked_before_anything_is_scored(tmp_path: Path) -> None:
    (tmp_path / "en.yml").write_text("language: en\nviolence_now: [kill]\nidioms: [kill for a coffee]\n", encoding="utf-8")
    lexicon = Lexicon.load(tmp_path)
    assert lexicon.matches(lexicon.without_idioms(fold("I could kill for a coffee"))) == {}
    assert lexicon.matches(lexicon.without_idioms(fold("he will kill me"))) == {"violence_now": ["kill"]}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_a_lexicon_for_every_category(language: str) -> None:
    document = yaml.safe_load((LEXICON_DIR / f"{language}.yml").read_text(encoding="utf-8"))
    for category in CATEGORIES:
        assert len(document.get(category) or []) >= 10, (language, category)


def test_every_phrase_matches_itself_inside_a_sentence() -> None:
    lexicon = default_lexicon()
    for phrase in lexicon.phrases:
        sentence = "ok " + phrase.text.replace("*", "").replace("~", "ok") + " ok"
        found = lexicon.matches(fold(sentence))
        assert phrase.category in found, (phrase.language, phrase.category, phrase.text)


def test_phrases_fire_on_no_ordinary_message_we_train_on() -> None:
    """A lexicon phrase decides alone, so it must not fire on the ordinary NLU examples or on the
    `not_risk` lists (figurative uses, harmless mentions of police, pills, passports). NLU examples that
    do describe danger ("на меня напали...") are listed as risk in safety/training and left out here."""
    lexicon = default_lexicon()
    ordinary = [e for e in training_set() if e.label == NOT_RISK]
    fired = [(e.language, e.text, lexicon.matches(lexicon.without_idioms(fold(e.text)))) for e in ordinary]
    assert [f for f in fired if f[2]] == []
