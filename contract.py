"""The names the bot's parts agree on, spelled once: intents, button payloads, entities, slots, the keys the
NLU adds to a parsed message, the metadata keys channels put on a message and the keys of the NLG's custom
payload.

Why one module: these names cross process and package boundaries (the Rasa domain and training data, the NLU
components, the action server, the reply catalogs, the channels, the widget), and a typo in any one copy fails
silently: a button that never matches its rule, a slot that never fills. Standard library only, so that every
environment and every package can import it (the portal too, on its own Python). bot/domain/*.yml and
data/nlu declare the same names for Rasa; tests/unit/test_contract.py checks they agree."""
from __future__ import annotations

import json

# Intents (DESIGN.md, "Contracts"). `ask_*` asks what one is entitled to; `find_service` asks where to go.
GREET = "greet"
GOODBYE = "goodbye"
THANK = "thank"
AFFIRM = "affirm"
DENY = "deny"
ASK_HEALTH = "ask_health"
ASK_EDUCATION = "ask_education"
ASK_HOUSING = "ask_housing"
ASK_WORK_RIGHTS = "ask_work_rights"
ASK_LEGAL_HELP = "ask_legal_help"
ASK_SOCIAL_SUPPORT = "ask_social_support"
FIND_SERVICE = "find_service"
ASK_PRIVACY = "ask_privacy"
FORGET_ME = "forget_me"
CHANGE_LANGUAGE = "change_language"
EMERGENCY = "emergency"
HUMAN_HANDOFF = "human_handoff"
BOT_CHALLENGE = "bot_challenge"
OUT_OF_SCOPE = "out_of_scope"
# Rasa's own intent for a message nothing understood (rasa.shared.constants.DEFAULT_NLU_FALLBACK_INTENT_NAME).
NLU_FALLBACK = "nlu_fallback"

INTENTS: tuple[str, ...] = (
    GREET, GOODBYE, THANK, AFFIRM, DENY,
    ASK_HEALTH, ASK_EDUCATION, ASK_HOUSING, ASK_WORK_RIGHTS, ASK_LEGAL_HELP, ASK_SOCIAL_SUPPORT,
    FIND_SERVICE, ASK_PRIVACY, FORGET_ME, CHANGE_LANGUAGE, EMERGENCY, HUMAN_HANDOFF, BOT_CHALLENGE, OUT_OF_SCOPE,
)
# What the domain declares: the intents above and the fallback, which no training example carries.
DOMAIN_INTENTS: tuple[str, ...] = (*INTENTS, NLU_FALLBACK)

# Entities. The contract's three, then our extensions: a rights topic and its view (set only by buttons), a
# topic the message names (the entity lexicon) and the language a message clearly is (the language detector,
# which the `language` slot maps from).
ENTITY_SERVICE_CATEGORY = "service_category"
ENTITY_PLACE = "place"
ENTITY_LANGUAGE = "language"
ENTITY_TOPIC = "topic"
ENTITY_TOPIC_VIEW = "topic_view"
ENTITY_TOPIC_MENTION = "topic_mention"
ENTITY_DETECTED_LANGUAGE = "detected_language"
# The one value of `topic_view`: the detail of a topic rather than its short answer.
TOPIC_VIEW_DETAIL = "detail"

# Slots.
SLOT_LANGUAGE = "language"
SLOT_PLACE = "place"
SLOT_SERVICE_CATEGORY = "service_category"
SLOT_SAFETY_STATE = "safety_state"

# Keys our NLU components add to a parsed message (and to POST /model/parse): the language detector's
# {code, confidence} and the safety layer's {category, confidence, level}, with the intent a risk signal
# held back for confirmation under SAFETY_HELD_INTENT.
PARSE_LANGUAGE = "language"
PARSE_SAFETY = "safety"
SAFETY_HELD_INTENT = "held_intent"

# Message metadata set by channels: a shared location {latitude, longitude}, used for one search and never
# stored (privacy.redaction drops all metadata).
METADATA_LOCATION = "location"

# Keys of the `custom` payload of a rendered reply (bot/nlg.py, replies/catalog_replies.py): the reply's
# language and text direction (the widget lays text out by them) and the places of service results
# (WhatsApp location messages).
CUSTOM_LANGUAGE = "language"
CUSTOM_DIRECTION = "direction"
CUSTOM_LOCATIONS = "locations"

# Rasa reads a message that starts with this as a payload: "/intent" or "/intent{json entities}".
PAYLOAD_PREFIX = "/"


def button_payload(intent: str, **entities: str) -> str:
    """The payload of a button: "/intent", or "/intent{...}" with the entities it sets. Only the entities and
    values bot/channels/payload_guard.py accepts get through to Rasa."""
    return PAYLOAD_PREFIX + intent + (json.dumps(entities) if entities else "")


# What a channel sends Rasa for a message with nothing to read (empty, "/" alone, an image): the fallback.
FALLBACK_PAYLOAD = button_payload(NLU_FALLBACK)
