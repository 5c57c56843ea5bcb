"""The tokenizer splits by the detected language's rules and gives DIET folded words to count."""
from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from bot.components.language_detector import LANGUAGE_KEY
from bot.components.multilingual_tokenizer import MultilingualTokenizer


def tokens(text: str, language: str) -> list[tuple[str, str]]:
    tokenizer = MultilingualTokenizer(MultilingualTokenizer.get_default_config())
    message = Message(data={"text": text, LANGUAGE_KEY: {"code": language}})
    return [(token.text, token.lemma) for token in tokenizer.tokenize(message, "text")]


def test_words_keep_their_text_and_count_without_accents_or_turkish_letters() -> None:
    assert tokens("Çocuğum okula gidebilir mi?", "tr") == [
        ("Çocuğum", "cocugum"), ("okula", "okula"), ("gidebilir", "gidebilir"), ("mi", "mi")]
    assert tokens("l'école de ma fille", "fr")[-1] == ("fille", "fille")
    assert [lemma for _, lemma in tokens("centro de saúde", "pt")] == ["centro", "de", "saude"]


def test_a_message_of_only_punctuation_is_one_token() -> None:
    assert tokens("?!", "en") == [("?!", "?!")]
