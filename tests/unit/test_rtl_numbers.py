"""Numbers and inserted values in Arabic, Persian and Pashto replies are wrapped in directional isolates,
so "+351 210 000 000" is not shown as "000 000 210 351+"; left-to-right replies are left alone."""
from __future__ import annotations

import pytest

from i18n.bidi import FSI, LRI, PDI, isolate_numbers, strip_isolates
from tests.unit.test_catalog_rendering import context
from replies.catalog_replies import render
from settings import get_settings


def test_number_runs_are_isolated_once() -> None:
    text = isolate_numbers("اتصل على +351 210 001 101 من 9:00–17:00 أو 112")
    assert f"{LRI}+351 210 001 101{PDI}" in text
    assert f"{LRI}9:00–17:00{PDI}" in text and text.endswith(f"{LRI}112{PDI}")
    assert isolate_numbers(text) == text  # already isolated runs are not wrapped again
    assert strip_isolates(text) == "اتصل على +351 210 001 101 من 9:00–17:00 أو 112"


@pytest.mark.parametrize("language", ["ar", "fa", "ps"])
def test_right_to_left_replies_isolate_every_number_and_value(language: str) -> None:
    settings = get_settings()
    reply = render("utter_handoff", context(language, {}))
    assert f"{LRI}{settings.hotline_number}{PDI}" in reply.text
    assert f"{FSI}{settings.hotline_name}{PDI}" in reply.text
    safety = render("utter_safety", context(language, {"category": "self_harm"}))
    assert f"{LRI}{settings.emergency_number}{PDI}" in safety.text
    # Nothing is left bare: every digit sits inside an isolate.
    outside = "".join(part.split(PDI)[-1] for part in safety.text.replace(FSI, LRI).split(LRI))
    assert not any(ch.isdigit() for ch in outside)


@pytest.mark.parametrize("language", ["en", "fr", "tr", "ti"])
def test_left_to_right_replies_have_no_marks(language: str) -> None:
    reply = render("utter_handoff", context(language, {}))
    assert strip_isolates(reply.text) == reply.text
