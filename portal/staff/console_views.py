"""The hotline console: one search box; the answers and services in the operator's language beside the
caller's. Searches are POSTed (never in a URL or a log), answered and forgotten."""
from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from i18n.languages import RIGHT_TO_LEFT, SUPPORTED, is_supported
from portal.console_search import matching_topics, nearest_services, read_question, resolve_place
from knowledge.repository import all_topics
from portal.keys import DB_SESSIONS, DIRECTORY, SETTINGS
from portal.request_bodies import read_form
from portal.staff.pages import render
from portal.staff.security import actor_of
from replies.catalog_replies import RenderContext, render as render_reply
from replies.listing_payload import results_arguments
from staff.review_ledger import signed_on

MAX_QUERY_CHARS = 500
AUTO = "auto"


def _operator_default(request: web.Request) -> str:
    for part in request.headers.get("Accept-Language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if is_supported(code):
            return code
    return "en"


def _side(request: web.Request, language: str, arguments: dict[str, Any] | None = None) -> RenderContext:
    return RenderContext(language=language, arguments=arguments or {}, settings=request.app[SETTINGS],
                         now=dt.datetime.now(dt.timezone.utc))


def _texts(request: web.Request, response: str, arguments: dict[str, Any], languages: list[str]) -> list[dict]:
    """The same reply in each language, side by side."""
    return [{"language": language, "rtl": language in RIGHT_TO_LEFT,
             "text": render_reply(response, _side(request, language, arguments)).text}
            for language in languages]


def _sources_arguments(request: web.Request, topic_id: str) -> dict[str, Any]:
    """What the bot's rights action passes for the sources reply, so that the console shows the same line."""
    topic = all_topics()[topic_id]
    return {"topic": topic_id,
            "signed_on": signed_on(request.app[DB_SESSIONS], topic, request.app[SETTINGS].deployment_country)}


async def console_page(request: web.Request) -> web.Response:
    actor_of(request)
    return render(request, "console.html", {"query": "", "operator_language": _operator_default(request),
                                            "caller_language": AUTO, "searched": False})


async def console_search(request: web.Request) -> web.Response:
    actor_of(request)
    form = await read_form(request)
    query = str(form.get("q", "")).strip()[:MAX_QUERY_CHARS]
    operator = str(form.get("operator_language", ""))
    operator = operator if is_supported(operator) else _operator_default(request)
    chosen_caller = str(form.get("caller_language", AUTO))
    context: dict[str, Any] = {"query": query, "operator_language": operator,
                               "caller_language": chosen_caller if is_supported(chosen_caller) else AUTO,
                               "searched": bool(query)}
    if not query:
        return render(request, "console.html", context, status=400)
    settings = request.app[SETTINGS]
    reading = await read_question(query, settings)
    caller = chosen_caller if is_supported(chosen_caller) else (
        reading.language if is_supported(reading.language) else operator)
    languages = [operator] if caller == operator else [operator, caller]
    topics = matching_topics(reading)
    answers = [{"id": topic.id,
                "titles": [_side(request, language).t(f"topic.{topic.id}.title") for language in languages],
                "answer": _texts(request, "utter_rights_answer", {"topic": topic.id}, languages),
                "sources": _texts(request, "utter_rights_sources", _sources_arguments(request, topic.id), languages)}
               for topic in topics]
    # A caller who may be in danger: the bot's emergency reply for that kind of danger comes first.
    danger = _texts(request, "utter_safety", {"category": reading.danger}, languages) if reading.danger else None
    place = resolve_place(reading, settings)
    category = next(iter(reading.categories), None) or next(
        (topic.service_category for topic in topics if topic.service_category), None)
    services = None
    if place is not None:
        matches = nearest_services(request.app[DIRECTORY], place, category, settings)
        arguments = {"category": category, "place": place.name, "results": results_arguments(matches)}
        services = _texts(request, "utter_service_results", arguments, languages) if matches else []
    context.update({"reading": reading, "detected_caller": caller, "columns": languages, "answers": answers,
                    "place": place.name if place else None, "services": services, "danger": danger,
                    "supported": SUPPORTED})
    return render(request, "console.html", context)
