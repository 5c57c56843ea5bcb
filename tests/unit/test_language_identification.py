from __future__ import annotations


import pytest

from bot.langid.core import OTHER, UNDETERMINED, LanguageIdentifier
from bot.langid.iberian import iberian_hint
from bot.langid.scripts import arabic_script_candidates, dominant_script
from bot.langid.training import labelled_examples, load_or_train
from i18n.conversation_language import sets_conversation_language
from settings import ROOT
from tests.conftest import state_dir


@pytest.fixture(scope="module")
def identifier() -> LanguageIdentifier:
    model = load_or_train(ROOT / "data" / "nlu", state_dir() / "langid")
    return LanguageIdentifier.load(model)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("can I see a doctor without papers?", "en"),
        ("find a clinic near Alfama", "en"),
        ("delete my data", "en"),
        ("est-ce que je peux voir un médecin sans papiers ?", "fr"),
        ("jveux voir un docteur stp", "fr"),
        ("supprimer mes données", "fr"),
        ("bonjour", "fr"),
        ("هل يمكنني رؤية طبيب بدون أوراق؟", "ar"),
        ("مرحبا", "ar"),
        ("احذف بياناتي", "ar"),
        ("bghit tbib", "ar"),
        ("necesito un medico por favor", "es"),
        ("preciso de um medico sem documentos", "pt"),
        ("мне нужен врач", "ru"),
    ],
)
def test_identifies_launch_languages_in_chat_messages(identifier: LanguageIdentifier, text: str, expected: str) -> None:
    assert identifier.identify(text).code == expected


def test_message_without_letters_is_undetermined(identifier: LanguageIdentifier) -> None:
    detection = identifier.identify("😀😀 👍")
    assert (detection.code, detection.confidence) == (UNDETERMINED, 0.0)


def test_unsupported_language_is_other(identifier: LanguageIdentifier) -> None:
    assert identifier.identify("ich brauche bitte einen Arzt für meine Tochter").code == OTHER
    assert identifier.identify("我需要看医生").code == OTHER


@pytest.mark.parametrize(
    "text, expected",
    [
        ("need numero de utente pls", "en"),
        ("where can i do numero de utente", "en"),
        ("bghit numero de utente", "ar"),
        ("ho bisogno del numero di utente per andare dal medico", OTHER),
    ],
)
def test_lisbon_portuguese_words_do_not_make_a_message_unsupported(
    identifier: LanguageIdentifier, text: str, expected: str
) -> None:
    # People of every language write "utente", "renda", "contrato" in Portuguese; lid.176 takes a message
    # full of them for Italian. A real Italian message stays "other".
    assert identifier.identify(text).code == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ወረቀት የለኝም ሆስፒታል መሄድ እችላለሁ", OTHER),  # Amharic: "I have no papers, can I go to hospital"
        ("አለቃዬ ደሞዝ አልከፈለኝም", OTHER),  # Amharic: "my boss did not pay me"
        ("ወረቐት የብለይን ሆስፒታል ክኸይድ ይኽእል ዶ", "ti"),  # the same question in Tigrinya
        ("ሓለቓይ ደሞዝ ኣይሃበንን", "ti"),
    ],
)
def test_geez_script_is_tigrinya_unless_it_reads_as_amharic(
    identifier: LanguageIdentifier, text: str, expected: str
) -> None:
    assert identifier.identify(text).code == expected


def test_output_has_the_contract_shape(identifier: LanguageIdentifier) -> None:
    output = identifier.identify("bonjour je cherche un médecin").as_output()
    assert output["code"] == "fr" and 0.5 < output["confidence"] <= 1.0


def test_script_rules() -> None:
    assert arabic_script_candidates("زه ډاکټر ته اړتیا لرم") == ("ps",)
    assert arabic_script_candidates("من به دکتر نیاز دارم") == ("fa", "ps")  # Pashto writes ک and ی too
    assert arabic_script_candidates("أحتاج إلى طبيب") == ("ar", "fa", "ps")
    assert dominant_script("ሰላም ሓኪም ደልየ") == "ethiopic"
    assert dominant_script("123 !!") is None


def test_training_examples_are_labelled_by_folder_and_unannotated() -> None:
    pairs = labelled_examples(ROOT / "data" / "nlu")
    assert {language for language, _ in pairs} >= {"en", "fr", "ar"}
    assert not any("](" in text or "]{" in text for _, text in pairs)


def test_spanish_or_portuguese_is_settled_by_the_small_words_only_one_of_them_has() -> None:
    assert iberian_hint("sim, pode ser") == "pt"
    assert iberian_hint("sí, gracias") == "es"
    assert iberian_hint("claro") is None and iberian_hint("sim, gracias") is None


@pytest.mark.parametrize("text, expected", [
    ("por favor, sim", "pt"),  # both models lean to Spanish without the rule
    ("necesito ayuda con la renda del piso", "es"),  # a Portuguese noun does not make it Portuguese
])
def test_short_spanish_and_portuguese_messages(identifier: LanguageIdentifier, text: str, expected: str) -> None:
    assert identifier.identify(text).code == expected


def test_short_or_weak_messages_do_not_change_the_conversation_language() -> None:
    assert not sets_conversation_language("en", confidence=0.7, word_count=1)
    assert not sets_conversation_language(None, confidence=0.0, word_count=1)
    assert not sets_conversation_language("other", confidence=0.99, word_count=5)
    assert not sets_conversation_language("und", confidence=0.0, word_count=1)


def test_clear_messages_set_the_conversation_language() -> None:
    assert sets_conversation_language("fr", confidence=0.8, word_count=6)
    assert sets_conversation_language("ar", confidence=0.95, word_count=1)


@pytest.mark.parametrize("text, expected", [
    ("12345", "und"), ("?!... ---", "und"), ("", "und"), ("   ", "und"),
    ("\u202eمرحبا كيف حالك", "ar"),  # a right-to-left override character in front
    ("می\u200cخواهم دکتر ببینم", "fa"),  # zero-width non-joiner, as Persian keyboards type it
    ("ሰላም\u200d ሓኪም", "ti"),
    ("こんにちは、医者が必要です", "other"), ("שלום אני צריך רופא", "other"),
])
def test_odd_input_gets_a_sensible_decision(identifier: LanguageIdentifier, text: str, expected: str) -> None:
    assert identifier.identify(text).code == expected


def test_mixed_scripts_follow_the_main_one(identifier: LanguageIdentifier) -> None:
    assert identifier.identify("bonjour مرحبا كيف حالك يا صديقي").code == "ar"
    assert identifier.identify("hola necesito un médico urgente por favor شكرا").code == "es"


def test_one_word_that_several_languages_use_does_not_say_which_language() -> None:
    """ "no" after "are you safe right now?" in an English conversation must not turn it Spanish: the
    language detector does not set the conversation's language from such a word (bot/components/
    language_detector.py)."""
    from bot.langid.training import shared_single_words, single_word
    from settings import ROOT

    shared = shared_single_words(ROOT / "data" / "nlu")
    assert {"no", "ok", "sim", "yes"} <= shared
    assert "obrigado" in shared and "bonjour" not in shared and "مرحبا" not in shared
    assert single_word("No!") == "no" and single_word("no thanks") is None
