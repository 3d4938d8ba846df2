"""The Arabic catalogue covers every message the interface can show."""

from babel.messages.pofile import read_po

from app.web.catalogue import extract, po_path


def test_every_message_has_an_arabic_translation() -> None:
    with po_path("ar").open("rb") as handle:
        arabic = read_po(handle)
    missing = [m.id for m in extract() if m.id and not (arabic.get(m.id) and arabic[m.id].string)]
    assert missing == [], f"{len(missing)} messages lack Arabic, e.g. {missing[:3]}"
