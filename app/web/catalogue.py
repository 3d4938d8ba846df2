"""Keep the message catalogue complete: extract every string and add the new ones to a .po file.

A language's catalogue is every `*.po` file of `app/web/locale/<lang>/LC_MESSAGES/` (one per
part of the interface). Run `python -m app.web.catalogue [--into cases.po]` after changing a
template or a message: messages no file holds yet are added, untranslated, to the named file
(default `messages.po`); translators then fill them in. Other files are not rewritten.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from app.web.case_labels import CASE_MESSAGES
from app.web.i18n import LOCALE_DIR, read_catalogue
from app.web.messages import FORMATTED_MESSAGES, SERVICE_MESSAGES
from matching.explain import EXPLANATION_MESSAGES
from reintegration.engine import messages as pathway_messages
from reintegration.pathways import all_pathways
from reintegration.returns.readiness import REASONS as RETURN_REASONS

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
    for message in CASE_MESSAGES:
        catalog.add(message, locations=[("app/web/case_labels.py", 0)])
    for pathway in all_pathways():
        for message in pathway_messages(pathway):
            catalog.add(message, locations=[(f"reintegration/pathways/{pathway.key}.py", 0)])
    for message in RETURN_REASONS.values():
        catalog.add(message, locations=[("reintegration/returns/readiness.py", 0)])
    for key, template in EXPLANATION_MESSAGES.items():
        catalog.add(template, locations=[("matching/explain.py", 0)], auto_comments=[key])
    return catalog


def po_path(language: str, name: str = "messages.po") -> Path:
    """Where one of a language's catalogue files lives."""
    return LOCALE_DIR / language / "LC_MESSAGES" / name


def update(language: str = "ar", into: str = "messages.po") -> tuple[int, int]:
    """Add the messages no catalogue file of `language` holds yet to the file `into`, keeping
    every translation; return (messages in all files, messages without a translation)."""
    known = read_catalogue(language)
    path = po_path(language, into)
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
    else:
        catalog = Catalog(locale=language, project="ddr-registry", domain="messages")
    for message in extract():
        if message.id and message.id not in known:
            catalog.add(message.id, locations=message.locations,
                        auto_comments=message.auto_comments)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=False,
                 include_previous=False)
    merged = read_catalogue(language)
    return (len([m for m in merged if m.id]),
            sum(1 for m in merged if m.id and not m.string))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--into", default="messages.po", help="the .po file new messages go to")
    args = parser.parse_args()
    total, missing = update("ar", args.into)
    print(f"{total} messages, {missing} without an Arabic translation")
