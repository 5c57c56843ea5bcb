"""Extract, update, compile and check the gettext catalogs with Babel's API."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from i18n.catalogs import DOMAIN, LOCALES_DIR
from i18n.languages import DEFAULT_LANGUAGE
from i18n.sources import all_messages

TEMPLATE = LOCALES_DIR / f"{DOMAIN}.pot"
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
PROJECT = "migrant-rights-assistant"


def _po_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalog_languages() -> list[str]:
    return sorted(p.name for p in LOCALES_DIR.iterdir() if (p / "LC_MESSAGES").is_dir())


def build_template() -> Catalog:
    template = Catalog(project=PROJECT, fuzzy=False)
    for message in all_messages():
        template.add(
            message.text,
            context=message.key,
            auto_comments=[message.comment] if message.comment else [],
            locations=[(message.origin, 0)],
        )
    return template


def extract() -> list[str]:
    with TEMPLATE.open("wb") as handle:
        write_po(handle, build_template(), width=100, omit_header=False, include_lineno=False)
    return []


def update() -> list[str]:
    template = build_template()
    for language in catalog_languages():
        path = _po_path(language)
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, include_lineno=False, ignore_obsolete=True)
    return []


def compile_all() -> list[str]:
    problems = []
    for language in catalog_languages():
        with _po_path(language).open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for message, errors in catalog.check():
            problems.extend(f"{language}: {message.context}: {error}" for error in errors)
        with _po_path(language).with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog)
    return problems


def check() -> list[str]:
    """Every source message translated in every catalog, with the same placeholders."""
    problems = []
    sources = {message.key: message.text for message in all_messages()}
    for language in catalog_languages():
        with _po_path(language).open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for key, english in sources.items():
            entry = catalog.get(english, context=key)
            if language == DEFAULT_LANGUAGE and entry is None:
                problems.append(f"{language}: {key}: missing")
                continue
            if language == DEFAULT_LANGUAGE:
                continue
            if entry is None or not entry.string or entry.fuzzy:
                problems.append(f"{language}: {key}: not translated")
                continue
            # The same placeholders, each at least once: a language may name the country once where English
            # repeats it.
            if set(PLACEHOLDER.findall(english)) != set(PLACEHOLDER.findall(entry.string)):
                problems.append(f"{language}: {key}: placeholders differ")
    return problems


def init(language: str) -> list[str]:
    """Starts an empty catalog for a new language from the template."""
    path = _po_path(language)
    if path.exists():
        return [f"{path} exists already"]
    path.parent.mkdir(parents=True, exist_ok=True)
    catalog = Catalog(locale=language, project=PROJECT)
    catalog.update(build_template(), no_fuzzy_matching=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, include_lineno=False)
    return []
