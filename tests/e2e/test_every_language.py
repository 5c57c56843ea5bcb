"""A short conversation in each of the twelve launch languages: the reply comes in the user's language,
and a search for a doctor near Alfama finds the nearest health services."""
from __future__ import annotations

import pytest

from i18n.catalogs import translate
from tests.e2e.conftest import Send
from tests.e2e.test_walking_skeleton import nearest_health_services, text_of

pytestmark = pytest.mark.e2e

# greeting, a request for a doctor near Alfama
CONVERSATIONS = {
    "en": ("hello", "i need a doctor near Alfama"),
    "fr": ("bonjour", "je cherche un médecin près de Alfama"),
    "ar": ("السلام عليكم", "ابحث عن طبيب قرب ألفاما"),
    "es": ("hola buenas", "necesito un médico cerca de Alfama"),
    "pt": ("olá bom dia", "preciso de um médico perto de Alfama"),
    "fa": ("سلام، خوبی؟", "دکتر نزدیک آلفاما میخوام"),
    "ps": ("سلام ورور، څنګه یې", "په الفاما کې ډاکټر ته اړتیا لرم"),
    "uk": ("привіт, добрий день", "потрібен лікар біля Alfama"),
    "ru": ("здравствуйте", "нужен врач рядом с Alfama"),
    "tr": ("merhaba iyi günler", "Alfama yakınında doktor lazım"),
    "so": ("asc walaal", "waxaan u baahanahay dhakhtar u dhow Alfama"),
    "ti": ("ሰላም ከመይ ኣለኹም", "ኣብ ጥቓ Alfama ሓኪም የድልየኒ"),
}


@pytest.mark.parametrize("language", sorted(CONVERSATIONS))
def test_greeting_and_search_in_the_users_language(say: Send, new_sender: str, language: str) -> None:
    greeting, search = CONVERSATIONS[language]
    assert translate("greet.hello", language) in text_of(say(new_sender, greeting))
    results = text_of(say(new_sender, search))
    nearest, _ = nearest_health_services("Alfama", k=1)[0]
    name = nearest["name"] if language == "en" else nearest["translations"].get(language, {}).get("name", nearest["name"])
    assert name in results, results
    assert translate("category.health", language) in results
