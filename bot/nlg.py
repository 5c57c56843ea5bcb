"""Rasa's natural-language generator, in process: every utter_* reply is rendered here, from the catalogs
(replies/catalog_replies.py), in the conversation's language.

endpoints.yml names this class (`nlg: type: bot.nlg.CatalogNaturalLanguageGenerator`). Rendering used to
be an HTTP call to the portal per response, carrying the whole tracker with the user's words; now no
reply depends on the portal being up, and nothing the user wrote leaves this process except to the
action server. Rendering is pure CPU over data loaded once, so it runs on the event loop."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Iterator, Mapping, Optional

from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from contract import CUSTOM_DIRECTION, CUSTOM_LANGUAGE, PARSE_LANGUAGE, SLOT_LANGUAGE
from i18n.conversation_language import conversation_language
from i18n.languages import RIGHT_TO_LEFT
from replies.catalog_replies import BadArguments, RenderContext, UnknownResponse, render, warm_up
from settings import Settings, get_settings

logger = logging.getLogger(__name__)

# A reply we cannot render must not leave the person in silence: they get the honest "I did not
# understand", which offers the topics and a person.
SAFE_REPLY = "utter_fallback"


def detections_newest_first(tracker: DialogueStateTracker) -> Iterator[Mapping[str, Any]]:
    """The language the detector found in each user message, newest first."""
    if tracker.latest_message is not None:
        yield tracker.latest_message.parse_data.get(PARSE_LANGUAGE) or {}
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            yield event.parse_data.get(PARSE_LANGUAGE) or {}


def reply_language(tracker: DialogueStateTracker) -> str:
    return conversation_language(tracker.get_slot(SLOT_LANGUAGE), detections_newest_first(tracker))


class CatalogNaturalLanguageGenerator(NaturalLanguageGenerator):
    """Renders replies with replies.catalog_replies; Rasa builds it once per loaded model."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None,
                 settings: Settings | None = None) -> None:
        self._settings = settings or get_settings()
        # While the model loads, not during someone's first message (a first rights answer read every
        # topic file: ~70% of the rendering time under load).
        warm_up(self._settings, dt.datetime.now(dt.timezone.utc))

    async def generate(self, utter_action: str, tracker: DialogueStateTracker, output_channel: str,
                       **kwargs: Any) -> Optional[dict[str, Any]]:
        language = reply_language(tracker)
        context = RenderContext(language=language, arguments=kwargs, settings=self._settings,
                                now=dt.datetime.now(dt.timezone.utc), channel=output_channel or "")
        try:
            reply = render(utter_action, context)
        except (UnknownResponse, BadArguments) as error:
            # Our own bug (a response name or arguments the actions should never send): the log names
            # the response and the kind of error, never the arguments, which may carry a place name.
            logger.error("could not render %s (%s); answering with %s", utter_action, type(error).__name__,
                         SAFE_REPLY)
            reply = render(SAFE_REPLY, RenderContext(language=language, arguments={}, settings=self._settings,
                                                     now=context.now, channel=context.channel))
        answer = reply.as_dict()
        # The language of the reply, for channels that lay text out by it (the widget turns right-to-left).
        answer["custom"] = {**answer.get("custom", {}), CUSTOM_LANGUAGE: language,
                            CUSTOM_DIRECTION: "rtl" if language in RIGHT_TO_LEFT else "ltr"}
        return answer
