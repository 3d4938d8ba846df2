"""Text normalisation for names, phones, identity numbers and dates.

Arabic script is folded to one spelling per name (no tashkeel or tatweel, one alef, ى → ي,
ة → ه, hamza carriers folded, compounds such as عبد الرحمن joined); Latin is lower-cased,
stripped of diacritics and punctuation, with articles and ``Abdel``/``Abdul`` forms unified;
Cyrillic is transliterated to Latin. :func:`matching.phonetic.name_key` builds on these to give a
key on which all scripts meet.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "detect_script",
    "fold_digits",
    "normalise_arabic",
    "normalise_date",
    "normalise_latin",
    "normalise_name",
    "normalise_national_id",
    "normalise_passport",
    "normalise_phone",
    "transliterate_cyrillic",
]

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_TASHKEEL = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي",
        "ء": "", "ی": "ي", "ک": "ك", "ڤ": "ف", "پ": "ب", "چ": "ج", "گ": "ق", "ھ": "ه",
        "ۀ": "ه", "ڨ": "ق", "ڭ": "ق",
    }
)
_ARABIC_NON_LETTER = re.compile(r"[^\u0621-\u064a\s]")
_ARABIC_PARTICLES = frozenset({"بن", "ابن", "بنت", "ولد"})
_ABD_AR = re.compile(r"\bعبد\s*(?:ال)?")
_ABU_AR = re.compile(r"\bابو\s+")
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi",
    "є": "ye", "ґ": "g", "ў": "u",
}
_APOSTROPHES = re.compile("['’‘`´ʿʾʼ]")
_LATIN_NON_LETTER = re.compile(r"[^a-z\s]")
_LATIN_PARTICLES = frozenset({"bin", "ben", "ibn", "bint", "binti", "ould", "wuld", "wad"})
_LATIN_ARTICLES = frozenset(
    {"al", "el", "ul", "il", "ad", "ed", "an", "en", "ar", "er", "as", "es", "at", "et", "az",
     "ez", "ash", "esh", "ath", "adh", "ud", "us", "ur", "un", "ut", "l"}
)
_ABD_LATIN = re.compile(r"^abd(?:[aeiou]{1,2}l(?=[a-z]{2})|[aeiou]{1,2}([tdsznrl])(?=\1))?")
# Abdullah, Abdallah, Abdoulaye, Abdellahi, Abdalla ... (Abd + Allah)
_ABDALLAH = re.compile(r"^abd[aeiou]{0,2}l{1,2}(?:ah?i?|aye|e|i)?h?$")
_ABD_PREFIX_TOKENS = frozenset({"abd", "abdel", "abdul", "abdal", "abdoul", "abdil", "abdu"})
_ABU_TOKENS = frozenset({"abu", "abou", "abo", "bou"})
# The second word of a compound such as Nour al-Din, Saif Eddine, Fath Allah: written apart
# or joined, it is one name, and apart it would be taken for a name part of its own.
_ARABIC_COMPOUND_TAIL = re.compile(r"(?<=\S) +(?=(?:الدين|الله)\b)")
# ... al-Din in one spelling per script (Nasreddine, Nasr al-Din, Nasruddin → nasrdin;
# نصر الدين, نصرالدين → نصردين), so the article's many Latin forms do not count as a difference.
_ARABIC_DIN = re.compile(r"(?<=\S{2})الدين\b")
_LATIN_DIN = re.compile(r"(?<=[a-z]{3})(?:[aeiou]?[ldrsntz])?d(?:i|ee|ii|y)ne?$")
_LATIN_COMPOUND_TAILS = frozenset(
    {"din", "deen", "dine", "eddin", "eddine", "eddeen", "edine", "uddin", "uddeen", "addin",
     "addine", "aldin", "aldine", "aldeen", "eldin", "eldine", "eldeen", "allah", "ullah",
     "ollah", "allahi"}
)


def fold_digits(text: str) -> str:
    """Replace Arabic-Indic and Persian digits with ASCII digits.

    >>> fold_digits("١٩٨٨-٠٣-٠٢")
    '1988-03-02'
    """
    return text.translate(_DIGITS)


def detect_script(text: str) -> str:
    """Name the dominant script of ``text``: ``"arabic"``, ``"cyrillic"`` or ``"latin"``.

    >>> detect_script("محمد"), detect_script("Мухаммед"), detect_script("Mohamed")
    ('arabic', 'cyrillic', 'latin')
    """
    arabic = cyrillic = latin = 0
    for char in text:
        code = ord(char)
        if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFEFF:
            arabic += 1
        elif 0x0400 <= code <= 0x04FF:
            cyrillic += 1
        elif char.isalpha():
            latin += 1
    if arabic and arabic >= latin:
        return "arabic"
    if cyrillic and cyrillic >= latin:
        return "cyrillic"
    return "latin"


def normalise_arabic(text: str) -> str:
    """Fold an Arabic-script name to one canonical spelling.

    Strips tashkeel and tatweel, folds alef and hamza forms, ى → ي and ة → ه, drops بن/ابن
    and joins the compounds عبد ال..., أبو ..., ... الدين and ... الله into one word.

    >>> normalise_arabic("عَبْد الرَّحْمَٰن بن أحمـــد")
    'عبدرحمن احمد'
    >>> normalise_arabic("فاطمة"), normalise_arabic("مصطفى"), normalise_arabic("أبو بكر")
    ('فاطمه', 'مصطفي', 'ابوبكر')
    >>> normalise_arabic("نصر الدين"), normalise_arabic("فتح الله")
    ('نصردين', 'فتحالله')
    """
    text = unicodedata.normalize("NFKC", text)
    text = _TASHKEEL.sub("", text).translate(_ARABIC_FOLD)
    text = _ARABIC_NON_LETTER.sub(" ", text)
    words = [w for w in text.split() if w not in _ARABIC_PARTICLES]
    text = " ".join(words)
    text = _ABD_AR.sub("عبد", text)
    text = _ARABIC_DIN.sub("دين", _ARABIC_COMPOUND_TAIL.sub("", text))
    return _ABU_AR.sub("ابو", text)


def transliterate_cyrillic(text: str) -> str:
    """Transliterate Cyrillic letters to Latin (other characters pass through).

    >>> transliterate_cyrillic("Мухаммед Шамилевич")
    'mukhammed shamilevich'
    """
    return "".join(_CYRILLIC.get(c, c) for c in text.lower())


def _strip_abd(token: str) -> str:
    if _ABDALLAH.match(token):
        return "abdlah"
    return _ABD_LATIN.sub("abd", token)


def normalise_latin(text: str) -> str:
    """Fold a Latin-script name: case, diacritics, punctuation, articles and compounds.

    Articles (``al-``, ``el``, ``Al``, assimilated ``ad-``, ``as-`` ...) are dropped when they
    stand alone; ``bin``/``ben``/``ibn`` are dropped; ``Abdel``/``Abdul``/``Abd al-`` forms and
    ``Abu``/``Abou`` are joined to the following name, and ``Din``/``Eddine``/``Allah`` ... to
    the preceding one.

    >>> normalise_latin("Abd al-Rahman ben Ahmed"), normalise_latin("ABDERRAHMANE")
    ('abdrahman ahmed', 'abdrahmane')
    >>> normalise_latin("Mohamed El-Warfalli"), normalise_latin("Abou Bakr")
    ('mohamed warfalli', 'aboubakr')
    >>> [normalise_latin(n) for n in ("Saif al-Din", "Nour Eddine", "Fath Allah")]
    ['saifdin', 'nourdin', 'fathallah']
    >>> normalise_latin("Çelik Müller")
    'celik muller'
    """
    text = transliterate_cyrillic(text) if detect_script(text) == "cyrillic" else text.lower()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _APOSTROPHES.sub("", text).replace("ß", "ss").replace("ø", "o").replace("ł", "l")
    text = _LATIN_NON_LETTER.sub(" ", text)
    raw = text.split()
    tokens: list[str] = []
    for index, token in enumerate(raw):
        has_next = index + 1 < len(raw)
        if has_next and (token in _LATIN_ARTICLES or token in _LATIN_PARTICLES):
            continue
        tokens.append(token)
    joined: list[str] = []
    pending = ""
    for token in tokens:
        if joined and not pending and token in _LATIN_COMPOUND_TAILS:
            joined[-1] += token
            continue
        if token in _ABD_PREFIX_TOKENS or token in _ABU_TOKENS:
            pending += "abd" if token in _ABD_PREFIX_TOKENS else token
            continue
        joined.append(_strip_abd(pending + token) if pending else _strip_abd(token))
        pending = ""
    if pending:
        joined.append(pending)
    return " ".join(_LATIN_DIN.sub("din", token) for token in joined)


@lru_cache(maxsize=200_000)
def normalise_name(text: str) -> str:
    """Normalise a name in any script: Arabic folded, other scripts to Latin lower case.

    >>> normalise_name("  أحمَد "), normalise_name("Al-Qadhafi"), normalise_name("Ахмед")
    ('احمد', 'qadhafi', 'akhmed')
    """
    if not text:
        return ""
    text = fold_digits(text)
    if detect_script(text) == "arabic":
        return normalise_arabic(text)
    return normalise_latin(text)


def normalise_phone(value: str | None, default_country: str = "218") -> str:
    """Return a phone number in E.164 (``+218912345678``) or ``""`` when it has no digits.

    >>> [normalise_phone(p) for p in ("091-2345678", "00218 91 234 5678", "218912345678")]
    ['+218912345678', '+218912345678', '+218912345678']
    >>> normalise_phone("(093) 5546951"), normalise_phone("912345678"), normalise_phone("00")
    ('+218935546951', '+218912345678', '')
    """
    if not value:
        return ""
    digits = re.sub(r"\D", "", fold_digits(value))
    if not digits:
        return ""
    if value.strip().startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:] if digits[2:] else ""
    if digits.startswith(default_country) and len(digits) >= len(default_country) + 8:
        return "+" + digits
    national = digits.lstrip("0")
    return "+" + default_country + national if national else ""  # zeros alone: no number


def normalise_national_id(value: str | None) -> str:
    """Return the digits of a national number (spaces, dashes and Arabic digits removed).

    >>> normalise_national_id("1 2009 3073349"), normalise_national_id("١١٩٨٤٢٩٩١٧٨٩")
    ('120093073349', '119842991789')
    """
    if not value:
        return ""
    return re.sub(r"\D", "", fold_digits(value))


def normalise_passport(value: str | None) -> str:
    """Return a passport number upper-cased without spaces or punctuation.

    >>> normalise_passport(" p-0720 5452 ")
    'P07205452'
    """
    if not value:
        return ""
    return re.sub(r"[^0-9A-Z]", "", fold_digits(value).upper())


def normalise_date(value: str | None) -> tuple[int, int, int]:
    """Parse ``YYYY-MM-DD`` or ``YYYY`` into ``(year, month, day)``; unknown parts are 0.

    >>> normalise_date("1988-03-02"), normalise_date("1988"), normalise_date("")
    ((1988, 3, 2), (1988, 0, 0), (0, 0, 0))
    """
    if not value:
        return (0, 0, 0)
    parts = re.findall(r"\d+", fold_digits(value))
    if not parts or len(parts[0]) != 4:
        return (0, 0, 0)
    year = int(parts[0])
    month = int(parts[1]) if len(parts) > 1 else 0
    day = int(parts[2]) if len(parts) > 2 else 0
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        month, day = 0, 0
    return (year, month, day)
