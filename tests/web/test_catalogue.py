"""The Arabic catalogue (every .po file of the language) covers every message the interface
can show."""

from app.web.catalogue import extract
from app.web.i18n import read_catalogue


def test_every_message_has_an_arabic_translation() -> None:
    arabic = read_catalogue("ar")
    missing = [m.id for m in extract() if m.id and not (arabic.get(m.id) and arabic[m.id].string)]
    assert missing == [], f"{len(missing)} messages lack Arabic, e.g. {missing[:3]}"
