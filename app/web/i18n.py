"""Translations: the gettext catalogue (Babel .po compiled in memory), dates and numbers."""

from __future__ import annotations

import gettext
import io
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from app.dedup.schemas import SignalOut
from app.registry.schemas import Reason

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("ar", "en")
DEFAULT_LANGUAGE = "ar"
_BABEL_LOCALE = {"ar": "ar_LY", "en": "en_GB"}


def read_catalogue(language: str) -> Catalog:
    """A language's messages: every `*.po` file of its folder (one per part of the interface:
    `messages.po`, `cases.po`, ...), read as one catalogue."""
    catalog = Catalog(locale=language, domain="messages")
    for path in sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=language):
                if message.id:
                    catalog[message.id] = message
    return catalog


@cache
def translations(language: str) -> gettext.NullTranslations:
    """Return the compiled catalogue of a language (English is the source language)."""
    if language == "en":
        return gettext.NullTranslations()
    # Compile the .po files in memory: a fresh clone needs no build step and no committed .mo.
    buffer = io.BytesIO()
    write_mo(buffer, read_catalogue(language))
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def pick_language(value: str | None) -> str:
    """Return a supported language code, defaulting to Arabic."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def direction(language: str) -> str:
    """Return the text direction of a language."""
    return "rtl" if language == "ar" else "ltr"


def format_day(value: date | datetime | str | None, language: str) -> str:
    """Format a date (or an ISO date text) readably in the user's language (Western digits, as
    used in Libya)."""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return ""
    if isinstance(value, datetime):
        return format_datetime(value, "d MMM y, HH:mm", locale=_BABEL_LOCALE[language])
    return format_date(value, "d MMM y", locale=_BABEL_LOCALE[language])


def translate_message(message: str, language: str) -> str:
    """Translate a service's English message when the catalogue knows it."""
    return translations(language).gettext(message)


def translate_reason(reason: Reason, language: str) -> str:
    """Fill a duplicate-check reason's translated template with its parameters."""
    template = translations(language).gettext(reason.template) if reason.template else ""
    if not template:
        return reason.message
    try:
        return template.format(**reason.params)
    except (KeyError, IndexError, ValueError):
        return reason.message


def translate_signal(signal: SignalOut, language: str) -> str:
    """A fraud or integrity signal's reason in the user's language."""
    catalogue = translations(language)
    params = dict(signal.params)
    document = params.get("document")  # "passport" or "national": a word of the sentence
    if document:
        params["document"] = catalogue.gettext(document)
    try:
        return catalogue.gettext(signal.template).format(**params)
    except (KeyError, IndexError, ValueError):
        return signal.message


def format_age(hours: float | None, language: str) -> str:
    """How long a pair has waited: hours under two days, else days."""
    if hours is None:
        return "—"
    catalogue = translations(language)
    if hours < 48:
        return catalogue.gettext("{n} h").format(n=round(hours))
    return catalogue.gettext("{n} days").format(n=round(hours / 24))
