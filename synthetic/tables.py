"""Parsed name, place and group tables for the synthetic generator."""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass
from itertools import accumulate
from typing import Generic, TypeVar

from synthetic import names as raw

T = TypeVar("T")

SUN_INITIALS = ("t", "th", "d", "dh", "r", "z", "s", "sh", "n")


@dataclass(frozen=True, slots=True)
class Name:
    """One canonical name: Arabic script, Latin spellings and (for Russians) Cyrillic."""

    ar: str
    latin: tuple[str, ...]
    cyr: str = ""
    family: bool = False

    @property
    def article(self) -> bool:
        """Whether the Arabic form carries the article ال."""
        return self.ar.startswith("ال")


@dataclass(frozen=True, slots=True)
class Place:
    """A town of birth with its Arabic and Latin (or Cyrillic) spellings."""

    ar: str
    latin: tuple[str, ...]
    nationality: str
    cyr: str = ""


@dataclass(frozen=True, slots=True)
class Group:
    """An invented armed group with its English and Arabic phrasings."""

    code: str
    english: tuple[str, ...]
    arabic: tuple[str, ...]
    nationalities: tuple[str, ...]


class Pool(Generic[T]):
    """Weighted pool of items, drawn with one uniform number."""

    __slots__ = ("common", "cum", "items", "total")

    def __init__(self, items: list[T], weights: list[float]) -> None:
        self.items = items
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]
        order = sorted(range(len(items)), key=lambda i: -weights[i])
        self.common = [items[i] for i in order[: max(3, len(items) // 12)]]

    def pick(self, rng: random.Random) -> T:
        """Draw one item by weight."""
        return self.items[bisect(self.cum, rng.random() * self.total)]

    def pick_common(self, rng: random.Random) -> T:
        """Draw uniformly among the most frequent items."""
        return self.common[rng.randrange(len(self.common))]


def _lines(block: str) -> list[list[str]]:
    return [line.split("|") for line in block.strip().splitlines() if line.strip()]


def _merge(rows: list[tuple[Name, float]]) -> Pool[Name]:
    """Merge rows with the same Arabic form (variants united, weights summed)."""
    by_ar: dict[str, tuple[Name, float]] = {}
    for name, w in rows:
        if name.ar in by_ar:
            old, ow = by_ar[name.ar]
            latin = old.latin + tuple(v for v in name.latin if v not in old.latin)
            by_ar[name.ar] = (Name(old.ar, latin, old.cyr, old.family), ow + w)
        else:
            by_ar[name.ar] = (name, w)
    return Pool([n for n, _ in by_ar.values()], [w for _, w in by_ar.values()])


def _simple(block: str, family: bool = False) -> list[tuple[Name, float]]:
    return [
        (Name(ar, tuple(lat.split(",")), family=family), float(w))
        for ar, lat, w, *_ in _lines(block)
    ]


def _abd_compounds() -> list[tuple[Name, float]]:
    """Generate عبد-compounds with their Latin spacing and assimilation variants."""
    rows = []
    for suffix_ar, cores, sun, w in _lines(raw.ABD_SUFFIXES):
        core_list = cores.split(",")
        if core_list[0] == "Allah":
            latin = ["Abdullah", "Abdallah", "Abdellah", "Abd Allah", "Abdalla", "Abdoullah",
                     "Abdulla", "Abdelah"]
        else:
            latin = []
            for i, core in enumerate(core_list):
                low = core.lower()
                pats = [f"Abdel{low}", f"Abdul {core}", f"Abd al-{core}", f"Abdul{low}",
                        f"Abdel {core}", f"Abd El {core}", f"Abdal{low}", f"Abd Al{low}"]
                if sun == "1":
                    pats += [f"Abde{low[0]}{low}", f"Abdu{low[0]}{low}"]
                latin += pats if i == 0 else pats[:4]
        rows.append((Name("عبد " + suffix_ar, tuple(dict.fromkeys(latin))), float(w)))
    return rows


def _russian(block: str, family: bool) -> Pool[Name]:
    rows = [(Name(ar, tuple(lat.split(",")), cyr, family), float(w))
            for cyr, lat, ar, w in _lines(block)]
    return _merge(rows)


LIBYAN_MALE = _merge(_simple(raw.LIBYAN_MALE) + _abd_compounds())
FEMALE = _merge(_simple(raw.LIBYAN_FEMALE))
SAHEL_MALE = _merge(_simple(raw.SAHEL_MALE))
LIBYAN_FAMILY = _merge(_simple(raw.LIBYAN_FAMILY, family=True))
SAHEL_FAMILY = _merge(_simple(raw.SAHEL_FAMILY, family=True))
RUSSIAN_GIVEN = _russian(raw.RUSSIAN_GIVEN, family=False)
RUSSIAN_FAMILY = _russian(raw.RUSSIAN_FAMILY, family=True)
NICKNAMES = _merge(_simple(raw.NICKNAMES))

_other = _lines(raw.LEVANT_EGYPT_TUNISIA_FAMILY)
OTHER_FAMILY: dict[str, Pool[Name]] = {
    nat: _merge([(Name(ar, tuple(lat.split(",")), family=True), float(w))
                 for ar, lat, w, n in _other if n == nat])
    for nat in ("SYR", "EGY", "TUN")
}



def _is_cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


def _place(ar: str, lat: str, nat: str) -> Place:
    variants = lat.split(",")
    cyr = [v for v in variants if _is_cyrillic(v)]
    latin = tuple(v for v in variants if not _is_cyrillic(v))
    return Place(ar, latin, nat, cyr[0] if cyr else "")


_places = [_place(ar, lat, nat) for ar, lat, _, nat in _lines(raw.PLACES)]
_place_w = [float(w) for _, _, w, _ in _lines(raw.PLACES)]
PLACES: dict[str, Pool[Place]] = {}
for _nat in {p.nationality for p in _places}:
    _idx = [i for i, p in enumerate(_places) if p.nationality == _nat]
    PLACES[_nat] = Pool([_places[i] for i in _idx], [_place_w[i] for i in _idx])

_EN_KIND = {
    "B": ("{} Brigade", "{} Bde", "Brigade {}", "{}"),
    "T": ("{} Battalion", "{} Bn", "Battalion {}", "{} Btn"),
    "F": ("{} Force", "{} Forces", "{}"),
    "G": ("{}", "{} Group", "the {}"),
    "N": ("{} Battalion", "Battalion {}", "Bn {}", "Battalion No. {}"),
}
_AR_KIND = {
    "B": ("لواء {}", "{}", "لواء {}"),
    "T": ("كتيبة {}", "{}", "كتيبة {}"),
    "F": ("قوة {}", "قوات {}"),
    "G": ("{}", "مجموعة {}"),
    "N": ("الكتيبة {}", "كتيبة {}", "الكتيبة {}"),
}
_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _group(en: str, ar: str, kind: str, nats: str) -> Group:
    english = tuple(p.format(en) for p in _EN_KIND[kind])
    arabic = tuple(p.format(ar) for p in _AR_KIND[kind])
    if kind == "N":
        arabic += (arabic[0].translate(_INDIC),)
    code = f"BN-{en}" if kind == "N" else "-".join(en.upper().replace("OF THE ", "").split())
    return Group(code, english, arabic, tuple(nats.split(",")))


_groups = [(_group(en, ar, k, n), float(w)) for en, ar, k, w, n in _lines(raw.ARMED_GROUPS)]
ALL_GROUPS: tuple[Group, ...] = tuple(g for g, _ in _groups)
GROUPS: dict[str, Pool[Group]] = {}
for _nat in ("LBY", "SDN", "TCD", "NER", "MLI", "SYR", "EGY", "TUN", "RUS"):
    _sel = [(g, w) for g, w in _groups if _nat in g.nationalities]
    GROUPS[_nat] = Pool([g for g, _ in _sel], [w for _, w in _sel])

RUSSIAN_CALLSIGNS = raw.RUSSIAN_CALLSIGNS
NATIONALITY_NISBA = raw.NATIONALITY_NISBA
