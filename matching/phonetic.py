"""Cross-script phonetic keys: where Arabic script and Latin spellings of a name meet.

A normalised name word (see :func:`matching.normalise.normalise_name`) is turned into a
*consonant skeleton* of class letters. Letters that sound alike across scripts share a class
(``ب``/b/p → ``B``, ``ش``/sh/ch/tch → ``X``, ``خ``/kh/k/q/c/``ك``/``ق`` → ``K`` ...). Vowels
are dropped, because Arabic script does not write short vowels; ``w``/``y`` count only at the
start of a word, because ``و``/``ي`` stand for vowels elsewhere. Letters whose transliteration
is ambiguous give several variants: Latin ``g`` may be ``ج``, ``ق`` or ``غ``; ``dh`` may be
``ذ`` or a ``z``; ``th`` may be ``ث`` or an ``s`` (Othman/Osman). A *vowel form* keeps vowel
classes too (``A`` a/e/ا, ``I`` i/ee/ي, ``U`` o/u/ou/و) to tell Hassan from Hussein.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import product

from matching.normalise import detect_script, normalise_name

__all__ = ["NameKey", "blocking_name_key", "name_key", "name_keys"]

_ARABIC_CODES: dict[str, tuple[str, ...]] = {
    "ب": ("B",), "ت": ("T",), "ث": ("T", "S"), "ج": ("J",), "ح": ("H",), "خ": ("K",),
    "د": ("D",), "ذ": ("D", "Z"), "ر": ("R",), "ز": ("Z",), "س": ("S",), "ش": ("X",),
    "ص": ("S",), "ض": ("D",), "ط": ("T",), "ظ": ("D", "Z"), "غ": ("G",), "ف": ("F",),
    "ق": ("K",), "ك": ("K",), "ل": ("L",), "م": ("M",), "ن": ("N",), "ه": ("H",),
}
_ARABIC_VOWELS = {"ا": "A", "و": "U", "ي": "I", "ع": "", "ء": ""}
_LATIN_MULTI: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("tsch", ("X",)), ("tch", ("X",)), ("sch", ("X", "SK")), ("tsh", ("X",)), ("sh", ("X",)),
    # chr, chl are kr, kl (Christian, Chloe) or, in French spellings, shr (Chraibi: الشرايبي)
    ("chr", ("KR", "XR")), ("chl", ("KL", "XL")), ("ch", ("X", "K")),
    ("kh", ("K", "H")), ("gh", ("G",)), ("ph", ("F",)),
    # th, dh may also be ت, د followed by ه (Thanwi, Udham: التهانوي, أودهام)
    ("th", ("T", "S", "TH")),
    ("dh", ("D", "Z", "DH")), ("dj", ("J",)), ("zh", ("J",)), ("ck", ("K",)), ("kk", ("K",)),
    # z, zz, tz may be ts (Rizzi, Maurizio, Fitz: ريتزي, ماوريتسيو)
    ("zz", ("Z", "TS")), ("tz", ("TS", "Z")),
)
_LATIN_CODES: dict[str, tuple[str, ...]] = {
    "b": ("B",), "p": ("B",), "f": ("F",), "v": ("F",), "t": ("T",), "d": ("D",),
    "s": ("S",), "z": ("Z",), "j": ("J",), "k": ("K",), "q": ("K",), "g": ("G", "J", "K"),
    "l": ("L",), "m": ("M",), "n": ("N",), "r": ("R",), "h": ("H",),
}
_LATIN_VOWELS = {"a": "A", "e": "A", "i": "I", "o": "U", "u": "U", "y": "I"}
_COARSE = str.maketrans({"G": "K", "J": "K", "Z": "S", "X": "S"})
_MAX_VARIANTS = 8


class NameKey:
    """Phonetic key of one name word: skeleton variants, vowel form and script."""

    __slots__ = ("cross_vowel_form", "script", "skeletons", "vowel_form", "vowels")

    def __init__(
        self, script: str, skeletons: tuple[str, ...], vowel_form: str, cross_vowel_form: str
    ) -> None:
        self.script = script
        self.skeletons = skeletons
        self.vowel_form = vowel_form
        # Arabic script writes a Latin "e" of a foreign name with ي, so compare across
        # scripts with e read as i.
        self.cross_vowel_form = cross_vowel_form
        # The vowel letters alone (a word-initial Arabic alef counts as any vowel): the long
        # vowels Arabic script writes must reappear in a Latin spelling of the same name.
        vowel_source = vowel_form[1:] if script == "arabic" and vowel_form[:1] == "A" else (
            cross_vowel_form)
        self.vowels = "".join(c for c in vowel_source if c in "AIU")

    def __repr__(self) -> str:
        return f"NameKey({self.script!r}, {self.skeletons!r}, {self.vowel_form!r})"


def _collapse(text: str) -> str:
    out: list[str] = []
    for char in text:
        if not out or out[-1] != char:
            out.append(char)
    return "".join(out)


def _expand(slots: list[tuple[str, ...]]) -> tuple[str, ...]:
    variants: list[str] = []
    for combo in product(*slots):
        skeleton = _collapse("".join(combo))
        if skeleton not in variants:
            variants.append(skeleton)
        if len(variants) >= _MAX_VARIANTS:
            break
    return tuple(variants)


def _arabic_slots(word: str) -> tuple[list[tuple[str, ...]], str]:
    slots: list[tuple[str, ...]] = []
    vowels: list[str] = []
    last = len(word) - 1
    for index, char in enumerate(word):
        if char in ("و", "ي") and index == 0:
            code = "W" if char == "و" else "Y"
            slots.append((code,))
            vowels.append(code)
        elif char in _ARABIC_VOWELS:
            vowels.append(_ARABIC_VOWELS[char])
        elif char == "ه" and index == last and index > 0:
            # ة (folded to ه) is silent, or read t in Latin (Najat, Hayat, Rahmat)
            slots.append(("", "H", "T"))
            vowels.append("A")
        elif char == "ت" and word[index + 1 : index + 2] == "ش":
            continue
        elif char == "ت" and word[index + 1 : index + 2] in ("ز", "س"):
            # تز / تس write the z of Italian and German names (Rizzi, Maurizio)
            slots.append(("T", ""))
            vowels.append("T")
        elif char in _ARABIC_CODES:
            codes = _ARABIC_CODES[char]
            slots.append(codes)
            vowels.append(codes[0])
    return slots, _collapse("".join(vowels))


def _latin_slots(word: str) -> tuple[list[tuple[str, ...]], str]:
    slots: list[tuple[str, ...]] = []
    vowels: list[str] = []
    index = 0
    while index < len(word):
        for graph, codes in _LATIN_MULTI:
            if word.startswith(graph, index) and not (
                    graph == "dj" and index > 0 and word[index - 1] not in _LATIN_VOWELS):
                # dj is j (Djamila, Boudjema), but d + j after a consonant (Abdjalil)
                slots.append(codes)
                vowels.append(codes[0])
                index += len(graph)
                break
        else:
            char = word[index]
            following = word[index + 1] if index + 1 < len(word) else ""
            if char in "wy" and index == 0:
                # an initial w is v in German and Polish names (Waldemar: فالديمار)
                slots.append(("W", "F") if char == "w" else ("Y",))
                vowels.append(slots[-1][0])
            elif char == "o" and index == 0 and following == "u" and word[2:3] in set("aei"):
                slots.append(("W",))
                vowels.append("W")
                index += 1
            elif char in _LATIN_VOWELS:
                vowels.append(_LATIN_VOWELS[char])
            elif char == "w":
                vowels.append("U")
            elif char == "c":
                # c before e/i is s (Cecile) or, in Italian and Turkish spellings, ch; the
                # final c of a Slavic -ić / -ič may be ch (Jankovic: يانكوفيتش)
                codes = ("S", "X") if following in ("e", "i", "y") else ("K", "X") if (
                    following == "" and word[index - 1 : index] == "i") else ("K",)
                slots.append(codes)
                vowels.append(codes[0])
            elif char == "x":
                slots.extend([("K",), ("S",)])
                vowels.append("KS")
            elif char == "h" and index == len(word) - 1 and index > 0:
                # final h may be ح (Muftah) or a silent ة/ه (Fatimah)
                slots.append(("", "H"))
            elif char == "t" and index == len(word) - 1 and index > 0:
                # final devoicing: Ahmet, Mahamat for أحمد, محمد
                slots.append(("T", "D"))
                vowels.append("T")
            elif char == "s" and index > 0 and (following == "" or (
                    following in _LATIN_VOWELS and word[index - 1] in _LATIN_VOWELS)):
                # s between vowels, or final, is often z (Susana, Rosa, Harms: سوزانا, روزا,
                # هارمز)
                slots.append(("S", "Z"))
                vowels.append("S")
            elif char == "j" and (index == 0 or word[index - 1] not in _LATIN_VOWELS):
                # j is y in German, Scandinavian and Slavic names (Jankovic, Bjorn: يانكوفيتش,
                # بيورن), a vowel letter in Arabic script after a consonant
                slots.append(("J", "Y") if index == 0 else ("J", ""))
                vowels.append("J")
            elif char == "j" and following in _LATIN_VOWELS:
                # j between vowels is kh in Spanish names (Maruja: ماروخا)
                slots.append(("J", "K"))
                vowels.append("J")
            elif char == "g" and following == "n":
                # gn is ny in Italian and French names (Agnelli: أنييلي)
                slots.append(("G", "J", "K", ""))
                vowels.append("G")
            elif char == "v":
                # v is w in Persian and Turkish spellings (Velayati: ولايتي)
                slots.append(("F", "W"))
                vowels.append("F")
            elif char == "z" and index > 0:
                slots.append(("Z", "TS"))
                vowels.append("Z")
            elif char in "eo" and following == char:
                vowels.append("I" if char == "e" else "U")
                index += 1
            elif char == "o" and following == "u":
                vowels.append("U")
                index += 1
            elif char in _LATIN_CODES:
                codes = _LATIN_CODES[char]
                slots.append(codes)
                vowels.append(codes[0])
            index += 1
    return slots, _collapse("".join(vowels))


def _article_forms(word: str, script: str) -> list[str]:
    if script == "arabic" and word.startswith("ال") and len(word) >= 5:
        return [word[2:], word]
    if script != "arabic" and word[:2] in ("al", "el") and len(word) >= 6:
        return [word[2:], word]
    return [word]


@lru_cache(maxsize=500_000)
def name_key(word: str) -> NameKey:
    """Return the phonetic key of one normalised name word.

    >>> name_key("mohamed").skeletons, name_key("محمد").skeletons
    (('MHMD',), ('MHMD',))
    >>> name_key("qadhafi").skeletons[:2], name_key("gaddafi").skeletons
    (('KDF', 'KZF'), ('GDF', 'JDF', 'KDF'))
    >>> name_key("الورفلي").skeletons, name_key("warfalli").skeletons
    (('WRFL', 'LRFL'), ('WRFL',))
    >>> name_key("hassan").vowel_form, name_key("hussein").vowel_form
    ('HASAN', 'HUSAIN')
    """
    script = "arabic" if detect_script(word) == "arabic" else "latin"
    skeletons: list[str] = []
    vowel_form = ""
    for form in _article_forms(word, script):
        slots, vowels = _arabic_slots(form) if script == "arabic" else _latin_slots(form)
        vowel_form = vowel_form or vowels
        for skeleton in _expand(slots):
            if skeleton not in skeletons:
                skeletons.append(skeleton)
    cross = vowel_form
    if script == "latin":
        # e read as i, in the form the vowel form was taken from (the article dropped)
        form = _article_forms(word, script)[0]
        cross = _collapse(_latin_slots(form.replace("e", "i"))[1])
    return NameKey(script, tuple(skeletons[:_MAX_VARIANTS]), vowel_form, cross)


def name_keys(text: str) -> list[NameKey]:
    """Return the phonetic keys of every word of a name in any script.

    >>> [k.skeletons[0] for k in name_keys("عبد الرحمن الورفلي")]
    ['BDRHMN', 'WRFL']
    """
    return [name_key(word) for word in normalise_name(text).split()]


@lru_cache(maxsize=500_000)
def blocking_name_key(text: str) -> str:
    """Return a coarse, script-independent key of a name for blocking (first word only).

    Ambiguous classes are merged (g/j/k/q → ``K``, z/s/sh → ``S``) so that every spelling of a
    word yields the same key.

    >>> blocking_name_key("Mohamed"), blocking_name_key("محمد"), blocking_name_key("Muhammad")
    ('MHMD', 'MHMD', 'MHMD')
    >>> blocking_name_key("Gaddafi"), blocking_name_key("القذافي")
    ('KDF', 'KDF')
    """
    keys = name_keys(text)
    if not keys or not keys[0].skeletons:
        return ""
    return _collapse(keys[0].skeletons[0].translate(_COARSE))
