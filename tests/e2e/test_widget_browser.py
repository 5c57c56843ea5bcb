"""The widget in a real headless Chromium (Debian's, driven by Playwright; no browser download): a whole
conversation in English and in Arabic on a 360-pixel-wide phone screen, with screenshots kept."""
from __future__ import annotations

import shutil

import pytest

from i18n.catalogs import translate
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_walking_skeleton import nearest_health_services

pytestmark = pytest.mark.e2e
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_widget(browser, stack, locale: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale=locale)
    page = context.new_page()
    page.goto(f"{stack.portal_url}/")
    page.wait_for_selector(".mra-send:not(:empty)")
    return page


def send(page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("#mra-input", text)
    page.keyboard.press("Enter")


def test_english_conversation_in_the_widget(browser, stack) -> None:  # type: ignore[no-untyped-def]
    page = open_widget(browser, stack, "en-GB")
    assert page.get_attribute(".mra", "dir") == "ltr"
    send(page, "hi")
    page.wait_for_selector(f".mra-bot >> text={translate('greet.hello', 'en')[:30]}")
    page.click(f".mra-buttons button >> text={translate('button.health', 'en')}")  # buttons work
    page.wait_for_selector(".mra-bot >> text=Migrant Workers Convention")
    send(page, "find a clinic near Alfama")
    nearest, _ = nearest_health_services("Alfama", k=1)[0]
    page.wait_for_selector(f".mra-bot >> text={nearest['name']}")
    assert page.locator(".mra-bot a[href^='tel:']").count() >= 1  # phone numbers are clickable
    # And places open in the maps app. They may come in a socket event of their own, after the text.
    page.wait_for_function("document.querySelectorAll(\"a.mra-map[href^='geo:']\").length === 3", timeout=30_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing overflows a small phone
    page.screenshot(path=str(ARTIFACTS / "widget-en.png"), full_page=True)


def test_arabic_conversation_is_right_to_left(browser, stack) -> None:  # type: ignore[no-untyped-def]
    page = open_widget(browser, stack, "ar")
    assert page.get_attribute(".mra", "dir") == "rtl"
    assert page.text_content(".mra-send") == translate("widget.send", "ar")
    send(page, "مرحبا")
    page.wait_for_selector(f".mra-bot >> text={translate('greet.hello', 'ar')[:20]}")
    send(page, "ابحث عن عيادة قرب ألفاما")
    nearest, _ = nearest_health_services("Alfama", k=1)[0]
    page.wait_for_selector(f".mra-bot >> text={nearest['translations']['ar']['name']}")
    assert page.get_attribute(".mra", "dir") == "rtl" and page.get_attribute(".mra", "lang") == "ar"
    # In a right-to-left layout the user's bubbles sit on the left.
    user_box = page.locator(".mra-user").first.bounding_box()
    assert user_box["x"] < 60
    page.screenshot(path=str(ARTIFACTS / "widget-ar.png"), full_page=True)


def test_keyboard_only_use(browser, stack) -> None:  # type: ignore[no-untyped-def]
    page = open_widget(browser, stack, "fr-FR")
    page.keyboard.press("Tab")  # language menu
    page.keyboard.press("Tab")  # message box
    assert page.evaluate("document.activeElement.id") == "mra-input"
    page.keyboard.type("bonjour")
    page.keyboard.press("Enter")
    page.wait_for_selector(f".mra-bot >> text={translate('greet.hello', 'fr')[:25]}")
    assert page.get_attribute(".mra-log", "aria-live") == "polite"


def test_the_widget_stays_under_its_size_budget() -> None:
    from portal.widget import FILES

    assert sum(path.stat().st_size for path in FILES.values()) < 100 * 1024


# Where each piece of a phone number is drawn: the x of the first occurrence of `needle` inside the text
# of the last element matching `selector`, measured on the rendered page.
X_OF = """([selector, needle]) => {
  const elements = document.querySelectorAll(selector);
  const root = elements[elements.length - 1];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(needle);
    if (at >= 0) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + needle.length);
      return range.getBoundingClientRect().left;
    }
  }
  return null;
}"""


def test_phone_numbers_in_arabic_replies_read_left_to_right(browser, stack) -> None:  # type: ignore[no-untyped-def]
    """"800 202 148" after Arabic words must not be drawn as "148 202 800": in the widget, and as plain text the
    way WhatsApp shows a message (the raw reply text in a right-to-left paragraph, no links, no markup).
    Without the isolates the plain-text check fails: the bidi algorithm lays the digit groups out right to left."""
    from settings import get_settings
    from tests.e2e.conftest import new_session, say_raw

    in_danger = "زوجي يضربني الآن وأنا خائفة"
    first, second = get_settings().violence_line_number.split()[:2]  # "800 202 148" by default
    page = open_widget(browser, stack, "ar")
    send(page, "مرحبا")
    page.wait_for_selector(f".mra-bot >> text={translate('greet.hello', 'ar')[:20]}")
    send(page, in_danger)
    page.wait_for_selector(f".mra-bot >> text={first}")
    assert page.evaluate(X_OF, [".mra-bot", first]) < page.evaluate(X_OF, [".mra-bot", second])

    sender = new_session(stack)
    say_raw(stack, sender, "مرحبا")
    [reply] = [r for r in say_raw(stack, sender, in_danger) if first in (r.get("text") or "")]
    plain = browser.new_page(viewport={"width": 1400, "height": 600})
    plain.set_content('<p id="message" dir="auto" style="width:1300px;font-size:16px;white-space:pre-wrap"></p>')
    plain.evaluate("text => { document.getElementById('message').textContent = text; }", reply["text"])
    assert plain.evaluate("getComputedStyle(document.getElementById('message')).direction") == "rtl"
    assert plain.evaluate(X_OF, ["#message", first]) < plain.evaluate(X_OF, ["#message", second])
    plain.screenshot(path=str(ARTIFACTS / "rtl-number-plain.png"))
