"""The hotline console: one search box; the answers and services in the operator's language beside the
caller's. Searches are POSTed (never in a URL or a log), answered and forgotten."""
from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from i18n.languages import RIGHT_TO_LEFT, SUPPORTED, is_supported
from portal.console_search import look_up, matching_topics, read_question
from portal.keys import DB_SESSIONS, DIRECTORY, SETTINGS
from portal.offload import off_loop
from portal.request_bodies import read_form
from portal.staff.pages import render
from portal.staff.security import actor_of
from replies.catalog_replies import RenderContext, render as render_reply
from replies.listing_payload import results_arguments

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
    found = await off_loop(look_up, request.app[DB_SESSIONS], request.app[DIRECTORY], reading, topics, settings)
    # The sources line as the bot's rights action passes it, so that the console shows the same line.
    answers = [{"id": topic.id,
                "titles": [_side(request, language).t(f"topic.{topic.id}.title") for language in languages],
                "answer": _texts(request, "utter_rights_answer", {"topic": topic.id}, languages),
                "sources": _texts(request, "utter_rights_sources",
                                  {"topic": topic.id, "signed_on": found.signed_on[topic.id]}, languages)}
               for topic in topics]
    # A caller who may be in danger: the bot's emergency reply for that kind of danger comes first.
    danger = _texts(request, "utter_safety", {"category": reading.danger}, languages) if reading.danger else None
    place = found.place
    services = None
    if place is not None:
        arguments = {"category": found.category, "place": place.name, "results": results_arguments(found.matches)}
        services = _texts(request, "utter_service_results", arguments, languages) if found.matches else []
    context.update({"reading": reading, "detected_caller": caller, "columns": languages, "answers": answers,
                    "place": place.name if place else None, "services": services, "danger": danger,
                    "supported": SUPPORTED})
    return render(request, "console.html", context)
