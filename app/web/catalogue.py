"""Keep the message catalogue complete: extract every string and merge it into the .po files.

Run `python -m app.web.catalogue` after changing a template or a message; translators then
fill the new empty entries of `app/web/locale/ar/LC_MESSAGES/messages.po`.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from app.web.i18n import LOCALE_DIR
from app.web.messages import FORMATTED_MESSAGES, SERVICE_MESSAGES
from matching.explain import EXPLANATION_MESSAGES

WEB_DIR = Path(__file__).parent
_METHODS = [("templates/**.html", "jinja2"), ("**.py", "python")]
_OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}}
_KEYWORDS = {"_": None, "gettext": None, "N_": None}


def extract() -> Catalog:
    """Return a catalogue of every message the web interface can show."""
    catalog = Catalog(project="ddr-registry", domain="messages")
    for filename, lineno, message, comments, _context in extract_from_dir(
        str(WEB_DIR), method_map=_METHODS, options_map=_OPTIONS, keywords=_KEYWORDS
    ):
        if isinstance(message, str) and message:
            catalog.add(message, locations=[(filename, lineno)], auto_comments=comments)
    for message in (*SERVICE_MESSAGES, *FORMATTED_MESSAGES):
        catalog.add(message, locations=[("app/web/messages.py", 0)])
    for key, template in EXPLANATION_MESSAGES.items():
        catalog.add(template, locations=[("matching/explain.py", 0)], auto_comments=[key])
    return catalog


def po_path(language: str) -> Path:
    """Where a language's catalogue lives."""
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


def update(language: str = "ar") -> tuple[int, int]:
    """Merge new messages into a language's .po, keeping translations; return (total, missing)."""
    template = extract()
    path = po_path(language)
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
    else:
        catalog = Catalog(locale=language, project="ddr-registry", domain="messages")
    catalog.update(template, no_fuzzy_matching=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=False,
                 ignore_obsolete=True, include_previous=False)
    missing = sum(1 for m in catalog if m.id and not m.string)
    return len([m for m in catalog if m.id]), missing


if __name__ == "__main__":
    total, missing = update("ar")
    print(f"{total} messages, {missing} without an Arabic translation")
