"""Renders every utter_* response of the bot from the catalogs, in the conversation's language.

Pure: everything a reply shows comes from the catalogs, the knowledge files, the settings and the
response's arguments. No database and no network, so that the Rasa process renders replies itself
(bot/nlg.py) and the hotline console renders the same ones (portal/staff/console_views.py)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

from contract import (AFFIRM, ASK_EDUCATION, ASK_HEALTH, ASK_HOUSING, ASK_LEGAL_HELP, ASK_WORK_RIGHTS,
                      CHANGE_LANGUAGE, CUSTOM_LOCATIONS, EMERGENCY, ENTITY_TOPIC, ENTITY_TOPIC_VIEW, FIND_SERVICE,
                      FORGET_ME, HUMAN_HANDOFF, TOPIC_VIEW_DETAIL, button_payload)
from i18n.bidi import isolate_numbers, isolate_value
from i18n.catalogs import translate
from i18n.formatting import join_citations, long_date
from i18n.sources import legal_basis_key
from i18n.languages import RIGHT_TO_LEFT, SUPPORTED, own_name
from knowledge.repository import Topic, Version, all_topics
from knowledge.sources import Citation, all_instruments
from safety.categories import CATEGORIES as SAFETY_CATEGORIES, IMMEDIATE_DANGER
from replies.listing_payload import listing_from_json
from replies.service_cards import ServiceCardRenderer
from services_db.categories import CATEGORIES
from settings import Settings


class UnknownResponse(LookupError):
    """The bot asked for a response name we do not render."""


class BadArguments(ValueError):
    """The arguments of a response are missing or malformed."""


@dataclass
class Reply:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    custom: dict[str, Any] | None = None  # channel extras, e.g. WhatsApp location messages

    def as_dict(self) -> dict[str, Any]:
        reply: dict[str, Any] = {"text": self.text, "buttons": self.buttons}
        if self.custom:
            reply["custom"] = self.custom
        return reply


@dataclass
class RenderContext:
    language: str
    arguments: dict[str, Any]
    settings: Settings
    now: dt.datetime

    channel: str = ""  # the output channel's name, for what differs by channel (who else carries the chat)

    def __post_init__(self) -> None:
        self.right_to_left = self.language in RIGHT_TO_LEFT
        # Once per reply, not per sentence; in right-to-left replies each number or Latin name inserted into
        # Arabic-script text is isolated so that it keeps its own order.
        self._placeholders = {name: self._inserted(value)
                              for name, value in self.settings.deployment_placeholders().items()}

    def _inserted(self, value: Any) -> Any:
        return isolate_value(value) if self.right_to_left and isinstance(value, str) else value

    def t(self, key: str, **params: Any) -> str:
        return translate(key, self.language,
                         **{**self._placeholders, **{name: self._inserted(value) for name, value in params.items()}})

    def button(self, key: str, payload: str) -> dict[str, str]:
        return {"title": self.t(key), "payload": payload}

    def category_name(self, category: str | None) -> str:
        return self.t(f"category.{category}" if category in CATEGORIES else "category.any")


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def _topic_buttons(ctx: RenderContext) -> list[dict[str, str]]:
    return [
        ctx.button("button.health", button_payload(ASK_HEALTH)),
        ctx.button("button.education", button_payload(ASK_EDUCATION)),
        ctx.button("button.housing", button_payload(ASK_HOUSING)),
        ctx.button("button.work", button_payload(ASK_WORK_RIGHTS)),
        ctx.button("button.legal", button_payload(ASK_LEGAL_HELP)),
        ctx.button("button.find", button_payload(FIND_SERVICE)),
    ]


WHATSAPP_CHANNELS = ("meta_whatsapp", "twilio_whatsapp")


def greet(ctx: RenderContext) -> Reply:
    # On WhatsApp the promise is only ours: WhatsApp itself carries the chat, and the greeting says so.
    whatsapp = ctx.t("greet.privacy.whatsapp") if ctx.channel in WHATSAPP_CHANNELS else ""
    return Reply(_lines(ctx.t("greet.hello"), ctx.t("greet.privacy"), whatsapp, ctx.t("greet.ask")),
                 _topic_buttons(ctx))


def _channel_notice(ctx: RenderContext, topic: Topic) -> str:
    """Who else carries this chat on the channel in use (WhatsApp: Meta, and Twilio where it connects us)."""
    if not topic.channel_notice or ctx.channel not in WHATSAPP_CHANNELS:
        return ""
    return ctx.t(f"privacy.channel.{ctx.channel}")


def simple(key: str, with_topics: bool = False) -> Callable[[RenderContext], Reply]:
    def render(ctx: RenderContext) -> Reply:
        return Reply(ctx.t(key), _topic_buttons(ctx) if with_topics else [])

    return render


def not_covered(key: str) -> Callable[[RenderContext], Reply]:
    """Something we have no answer for: say so honestly, offer a person and the topics; never guess."""

    def render(ctx: RenderContext) -> Reply:
        return Reply(_lines(ctx.t(key), ctx.t("handoff")), _topic_buttons(ctx))

    return render


def safety(ctx: RenderContext) -> Reply:
    """Someone may be in danger: what to do now and the number for that kind of danger first, then a person."""
    category = ctx.arguments.get("category")
    if category not in SAFETY_CATEGORIES:
        category = IMMEDIATE_DANGER  # an unknown kind of danger still gets the emergency number
    return Reply(_lines(ctx.t(f"safety.{category}"), ctx.t("emergency.hotline")),
                 [ctx.button("button.human", button_payload(HUMAN_HANDOFF))])


def safety_check(ctx: RenderContext) -> Reply:
    """An uncertain signal: ask, with the number already there in case the answer is no. "I need help now"
    is the emergency itself, so the button works whenever it is tapped; a typed "no" works right after."""
    buttons = [ctx.button("safety.button.safe", button_payload(AFFIRM)),
               ctx.button("safety.button.not_safe", button_payload(EMERGENCY)),
               ctx.button("button.human", button_payload(HUMAN_HANDOFF))]
    if ctx.arguments.get("offer_delete"):
        buttons.append(ctx.button("safety.button.delete", button_payload(FORGET_ME)))
    return Reply(_lines(ctx.t("safety.check"), ctx.t("emergency")), buttons)


def safety_stay(ctx: RenderContext) -> Reply:
    return Reply(ctx.t("safety.stay"), [ctx.button("button.human", button_payload(HUMAN_HANDOFF))])


def _topic_of(ctx: RenderContext) -> Topic:
    topic = all_topics().get(str(ctx.arguments.get("topic")))
    if topic is None:
        raise BadArguments("unknown topic")
    return topic


def _topic_payload(topic: Topic, view: str | None = None) -> str:
    entities = {ENTITY_TOPIC: topic.id, **({ENTITY_TOPIC_VIEW: view} if view else {})}
    return button_payload(topic.intents[0], **entities)


def _applies(ctx: RenderContext, version: Version) -> str:
    if version.applies_to == "everyone":
        return ctx.t("rights.applies.everyone")
    if version.applies_to == "regular_status_only":
        return ctx.t("rights.applies.regular")
    return ctx.t("rights.applies.depends", condition=ctx.t(f"{version.key}.condition"))


def rights_answer(ctx: RenderContext) -> Reply:
    """The short answer (or, with view=detail, the detail) of a topic, with what to do next as buttons:
    find a place for it, more detail, related topics, a person."""
    topic = _topic_of(ctx)
    version = topic.version_for(ctx.settings.deployment_country)
    detail = ctx.arguments.get("view") == TOPIC_VIEW_DETAIL
    buttons = []
    if topic.service_category:
        payload = button_payload(FIND_SERVICE, service_category=topic.service_category)
        buttons.append(ctx.button("button.find_category", payload))
    if not detail:
        buttons.append(ctx.button("button.more", _topic_payload(topic, TOPIC_VIEW_DETAIL)))
    topics = all_topics()
    suggested = ctx.arguments.get("suggest") if isinstance(ctx.arguments.get("suggest"), list) else []
    offered = [name for name in dict.fromkeys([*map(str, suggested), *topic.related]) if name in topics and name != topic.id]
    buttons += [ctx.button(f"topic.{name}.title", _topic_payload(topics[name])) for name in offered[:2]]
    buttons.append(ctx.button("button.human", button_payload(HUMAN_HANDOFF)))
    if detail:
        return Reply(ctx.t(f"{version.key}.detail"), buttons)
    return Reply(
        _lines(
            ctx.t(f"{version.key}.answer"),
            ctx.t("rights.risk", risk=ctx.t(f"{version.key}.risk")) if version.has_risk else "",
            _channel_notice(ctx, topic),
            _applies(ctx, version),
            ctx.t("rights.offer_service") if topic.service_category else "",
        ),
        buttons,
    )


def _citation(ctx: RenderContext, citation: Citation, country: str) -> str:
    """A source as users read it; a treaty the deployment country has not ratified says so, since it
    binds nobody there (the Migrant Workers Convention in every EU state)."""
    text = ctx.t(legal_basis_key(citation.cite))
    if not all_instruments()[citation.instrument].binds(country):
        text += " " + ctx.t("rights.not_ratified", country=ctx.t(f"jurisdiction.{country}"))
    return text


def _review_line(ctx: RenderContext) -> str:
    """"Checked by a lawyer on DATE" only when the caller read from the review ledger that a legal reviewer
    signed the exact version shown (argument `signed_on`, an ISO date); anything else is a draft."""
    signed_on = ctx.arguments.get("signed_on")
    try:
        date = dt.date.fromisoformat(signed_on) if isinstance(signed_on, str) else None
    except ValueError:
        date = None
    if date is None:
        return ctx.t("rights.draft")
    return ctx.t("rights.lawyer_checked", date=long_date(date, ctx.language))


def rights_sources(ctx: RenderContext) -> Reply:
    """Where the answer comes from, in a message of its own so that each stays phone-sized."""
    topic = _topic_of(ctx)
    country = ctx.settings.deployment_country
    version = topic.version_for(country)
    basis = join_citations([_citation(ctx, citation, country) for citation in version.legal_basis], ctx.language)
    return Reply(
        _lines(
            ctx.t("rights.basis", basis=basis),
            ctx.t("rights.reviewed", jurisdiction=ctx.t(f"jurisdiction.{version.jurisdiction}"),
                  date=long_date(topic.reviewed, ctx.language)),
            _review_line(ctx),
        )
    )


def unsupported_language(ctx: RenderContext) -> Reply:
    names = ", ".join(own_name(code) for code in SUPPORTED)
    return Reply(ctx.t("language.unsupported", languages=names),
                 [{"title": own_name(code), "payload": button_payload(CHANGE_LANGUAGE, language=code)}
                  for code in SUPPORTED])


def no_services(ctx: RenderContext) -> Reply:
    return Reply(
        ctx.t("service.none_found", category=ctx.category_name(ctx.arguments.get("category")),
              place=str(ctx.arguments.get("place", ""))),
        [ctx.button("button.human", button_payload(HUMAN_HANDOFF))],
    )


def unknown_place(ctx: RenderContext) -> Reply:
    # The user's own words are not echoed back: they may hold an address we do not want to repeat.
    return Reply(ctx.t("service.ask_place"))


def choose_place(ctx: RenderContext) -> Reply:
    names = ctx.arguments.get("places")
    if not isinstance(names, list) or not names:
        raise BadArguments("places must be a non-empty list")
    return Reply(ctx.t("service.ask_place"),
                 [{"title": str(name), "payload": button_payload(FIND_SERVICE, place=str(name))}
                  for name in names[:10]])


def service_results(ctx: RenderContext) -> Reply:
    results = ctx.arguments.get("results")
    if not isinstance(results, list) or not results:
        raise BadArguments("results must be a non-empty list")
    cards = ServiceCardRenderer(ctx.language, ctx.now, ctx.t)
    try:
        found = [(listing_from_json(r.get("listing")), float(r.get("distance_m", 0))) for r in results]
    except (AttributeError, TypeError, ValueError) as error:  # BadListing is a ValueError
        raise BadArguments("each result needs a listing and a distance") from error
    blocks = [cards.render(index, listing, distance) for index, (listing, distance) in enumerate(found, start=1)]
    header = ctx.t("service.header", category=ctx.category_name(ctx.arguments.get("category")),
                   place=str(ctx.arguments.get("place", "")))
    sample = ctx.t("service.sample_notice") if any(listing.is_sample for listing, _ in found) else ""
    # Where each service is, so that channels can offer a tap-to-open map (WhatsApp location messages).
    locations = [
        {"latitude": listing.location.latitude, "longitude": listing.location.longitude,
         "name": listing.name_in(ctx.language), "address": listing.address}
        for listing, _ in found
    ]
    return Reply("\n\n".join([header, *blocks, sample]).strip(),
                 [ctx.button("button.human", button_payload(HUMAN_HANDOFF))], custom={CUSTOM_LOCATIONS: locations})


RENDERERS: dict[str, Callable[[RenderContext], Reply]] = {
    "utter_greet": greet,
    "utter_goodbye": simple("goodbye"),
    "utter_thank": simple("thank"),
    "utter_deny": simple("deny", with_topics=True),
    "utter_bot_challenge": simple("bot_challenge"),
    "utter_out_of_scope": not_covered("out_of_scope"),
    "utter_fallback": not_covered("fallback"),
    "utter_language_changed": simple("language.changed"),
    "utter_safety": safety,
    "utter_safety_check": safety_check,
    "utter_safety_glad": simple("safety.glad", with_topics=True),
    "utter_safety_stay": safety_stay,
    "utter_handoff": simple("handoff"),
    "utter_forget_done": simple("forget.done"),
    "utter_rights_answer": rights_answer,
    "utter_rights_sources": rights_sources,
    "utter_unsupported_language": unsupported_language,
    "utter_ask_place": simple("service.ask_place"),
    "utter_unknown_place": unknown_place,
    "utter_choose_place": choose_place,
    "utter_no_services": no_services,
    "utter_service_results": service_results,
}


def render(response: str, ctx: RenderContext) -> Reply:
    try:
        renderer = RENDERERS[response]
    except KeyError:
        raise UnknownResponse(response) from None
    reply = renderer(ctx)
    if ctx.right_to_left:
        # Numbers written in the catalogs themselves ("112", "9:00–17:00") are isolated too, on every channel.
        reply.text = isolate_numbers(reply.text)
        reply.buttons = [{**button, "title": isolate_numbers(button["title"])} for button in reply.buttons]
    return reply


def warm_up(settings: Settings, now: dt.datetime) -> None:
    """Loads what replies read lazily (topics, sources, every language's catalog and Babel locale data)
    by rendering a few replies in each language, so that no user's first message pays for it."""
    from services_db.geo import Point
    from services_db.listing import ServiceListing, WeeklyHours
    from replies.listing_payload import listing_json

    sample = ServiceListing(id="warm-up", organization_name="", name="-", description="", category="health",
                            names_by_language={}, location=Point(0.0, 0.0), address="", timezone="UTC",
                            phones=(), languages_spoken=("en",), hours=(WeeklyHours((0,), dt.time(9), dt.time(17)),),
                            requires_id="no", firewall_pledge=True, free_of_charge=True, walk_in=True, is_sample=False)
    topic = next(iter(all_topics()))
    for language in SUPPORTED:
        for response, arguments in (("utter_greet", {}), ("utter_rights_answer", {"topic": topic}),
                                    ("utter_rights_sources", {"topic": topic, "signed_on": now.date().isoformat()}),
                                    ("utter_service_results", {"results": [{"distance_m": 1500,
                                                                            "listing": listing_json(sample)}]})):
            render(response, RenderContext(language=language, arguments=arguments, settings=settings, now=now))
