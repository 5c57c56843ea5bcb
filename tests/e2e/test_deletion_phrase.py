"""The phrase each catalog tells users to type to delete their data ("delete my data", «امسح بياناتي», ...)
must delete it, in every language, through the running bot."""
from __future__ import annotations

import json
import re

import pytest

from i18n.catalogs import translate
from i18n.languages import SUPPORTED
from tests.e2e.conftest import Send

pytestmark = pytest.mark.e2e
QUOTED = re.compile(r'["“«„「]\s*([^"”»“」]+?)\s*["”»“」]')


def phrase_we_tell_users_to_type(language: str) -> str:
    answer = translate("topic.chat_privacy.answer", language, retention_minutes="30")
    found = QUOTED.findall(answer)
    assert found, (language, answer)
    return found[-1]


@pytest.mark.parametrize("language", SUPPORTED)
def test_the_deletion_phrase_of_the_privacy_answer_deletes(say: Send, new_sender: str, language: str) -> None:
    say(new_sender, "/change_language" + json.dumps({"language": language}))
    replies = say(new_sender, phrase_we_tell_users_to_type(language))
    text = "\n".join(reply.get("text", "") for reply in replies)
    assert translate("forget.done", language) in text, (language, phrase_we_tell_users_to_type(language), text)
