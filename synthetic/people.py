"""Invented persons and families (the ground truth) for the synthetic generator."""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass
from datetime import date
from itertools import accumulate

from synthetic import tables as tb
from synthetic.tables import Group, Name, Place, Pool

NATIONALITIES = ("LBY", "SDN", "TCD", "NER", "MLI", "SYR", "EGY", "TUN", "RUS")
_NAT_CUM = list(accumulate((0.78, 0.06, 0.05, 0.03, 0.01, 0.03, 0.015, 0.015, 0.01)))
_FEMALE_SHARE = {"LBY": 0.12, "RUS": 0.0}
MOBILE_PREFIXES = ("91", "92", "94", "95", "93")
_PREFIX_CUM = list(accumulate((0.36, 0.34, 0.15, 0.1, 0.05)))
# unit kinds and their weights; mean group size is about 2.3
_KINDS = ("siblings", "twins", "father_son", "uncle_nephew", "cousins", "namesakes")
_KIND_CUM = list(accumulate((34, 8, 15, 10, 15, 18)))
MEAN_GROUP_SIZE = 2.3
_PASSPORT = {
    "SDN": ("P", 8), "TCD": ("N", 8), "NER": ("08PC", 5), "MLI": ("AA", 7), "SYR": ("N", 9),
    "EGY": ("A", 8), "TUN": ("E", 6), "RUS": ("", 9),
}


@dataclass(slots=True)
class Alias:
    """A kunya, nickname, nisba or call sign."""

    kind: str  # kunya, nick, callsign
    name: Name


@dataclass(slots=True)
class Person:
    """One invented individual: the ground truth behind the registrations."""

    pid: str
    nationality: str
    sex: str
    dob: int  # proleptic ordinal of the true date of birth
    dob_estimated: bool
    given: Name
    father: Name
    grandfather: Name | None
    family: Name
    mother: Name | None
    mother_family: Name | None
    alias: Alias | None
    place: Place
    phone: str  # national significant number ("912345678") or ""
    nin: str
    passport: str
    group: Group
    civilian: bool


def group_probability(relative_share: float) -> float:
    """Probability that a unit is a family/namesake group, given the share of such persons."""
    f = min(max(relative_share, 0.0), 0.95)
    return f / (MEAN_GROUP_SIZE * (1 - f) + f)


def _male_pool(rng: random.Random, nat: str) -> Pool[Name]:
    if nat == "RUS":
        return tb.RUSSIAN_GIVEN
    if nat in ("TCD", "NER", "MLI") or (nat == "SDN" and rng.random() < 0.5):
        return tb.SAHEL_MALE
    return tb.LIBYAN_MALE


def _family_name(rng: random.Random, nat: str) -> Name:
    if nat == "LBY":
        return tb.LIBYAN_FAMILY.pick(rng)
    if nat == "RUS":
        return tb.RUSSIAN_FAMILY.pick(rng)
    if nat in tb.OTHER_FAMILY:
        return tb.OTHER_FAMILY[nat].pick(rng)
    if rng.random() < 0.4:  # Sahel: the fourth name is often a further ancestor's name
        return _male_pool(rng, nat).pick(rng)
    return tb.SAHEL_FAMILY.pick(rng)


def new_phone(rng: random.Random) -> str:
    """A random Libyan mobile national number (9 digits)."""
    prefix = MOBILE_PREFIXES[bisect(_PREFIX_CUM, rng.random() * _PREFIX_CUM[-1])]
    return f"{prefix}{rng.randrange(10_000_000):07d}"


def _age(rng: random.Random, nat: str) -> int:
    if nat == "RUS":
        return rng.randint(24, 55)
    if rng.random() < (0.07 if nat in ("LBY", "SDN", "TCD", "NER", "MLI") else 0.02):
        return rng.randint(12, 17)
    return min(75, 18 + int(rng.gammavariate(2.2, 6.5)))


def _alias(rng: random.Random, nat: str, sex: str) -> Alias | None:
    if rng.random() >= 0.2:
        return None
    r = rng.random()
    if nat == "RUS":
        cyr, lat, ar = tb.RUSSIAN_CALLSIGNS[rng.randrange(len(tb.RUSSIAN_CALLSIGNS))]
        return Alias("callsign", Name(ar, (lat,), cyr))
    if r < 0.55:
        son = tb.LIBYAN_MALE.pick(rng)
        return Alias("kunya" if sex == "M" else "kunya_f", son)
    if r < 0.8 or nat not in tb.NATIONALITY_NISBA:
        return Alias("nick", tb.NICKNAMES.pick(rng))
    ar, latin = tb.NATIONALITY_NISBA[nat]
    return Alias("nick", Name(ar, latin))


def _passport(rng: random.Random, nat: str) -> str:
    if nat == "LBY" or rng.random() >= 0.45:
        return ""
    prefix, digits = _PASSPORT.get(nat, ("P", 8))
    return prefix + "".join(str(rng.randrange(10)) for _ in range(digits))


class _Lineage:
    """Shared names of one paternal line."""

    def __init__(self, rng: random.Random, nat: str) -> None:
        self.nat = nat
        self.male = _male_pool(rng, nat)
        self.family = _family_name(rng, nat)
        self.grandfather = self.male.pick(rng)
        self.great = self.male.pick(rng)

    def given(self, rng: random.Random, sex: str, used: set[str]) -> Name:
        """A given name not yet used in this family."""
        pool = self.male if sex == "M" else tb.FEMALE
        for _ in range(20):
            name = pool.pick(rng)
            if name.ar not in used:
                used.add(name.ar)
                return name
        return name

    def mother(self, rng: random.Random) -> tuple[Name | None, Name | None]:
        """A mother's given and family name."""
        if self.nat == "RUS":
            return None, None
        fam = self.family if rng.random() < 0.35 else _family_name(rng, self.nat)
        return tb.FEMALE.pick(rng), fam


class Factory:
    """Creates persons and family units with deterministic ids."""

    def __init__(self, rng: random.Random, ref_ordinal: int) -> None:
        self.rng = rng
        self.ref = ref_ordinal  # mid-year of registration
        self.next_id = 0

    def nationality(self) -> str:
        """Draw a nationality."""
        return NATIONALITIES[bisect(_NAT_CUM, self.rng.random() * _NAT_CUM[-1])]

    def sex(self, nat: str) -> str:
        """Draw a sex for a nationality."""
        return "F" if self.rng.random() < _FEMALE_SHARE.get(nat, 0.03) else "M"

    def dob_for_age(self, age: int) -> int:
        """A date of birth giving about ``age`` years at mid-year."""
        return self.ref - int(age * 365.25) - self.rng.randrange(365)

    def person(
        self, nat: str, sex: str, dob: int, given: Name, father: Name,
        grandfather: Name | None, family: Name, mother: tuple[Name | None, Name | None],
        phone: str | None = None,
    ) -> Person:
        """Build one person; ``phone`` None draws a personal phone."""
        rng = self.rng
        self.next_id += 1
        year = date.fromordinal(dob).year
        age = (self.ref - dob) // 365
        if phone is None:
            phone = new_phone(rng) if rng.random() < (0.78 if age >= 18 else 0.35) else ""
        nin = ""
        if nat == "LBY" and rng.random() < 0.55:
            nin = f"{1 if sex == 'M' else 2}{year:04d}{rng.randrange(10_000_000):07d}"
        civilian_p = 0.75 if sex == "F" else (0.12 if nat == "LBY" else 0.08)
        return Person(
            pid=f"P{self.next_id:07d}", nationality=nat, sex=sex, dob=dob,
            dob_estimated=rng.random() < (0.2 if nat == "LBY" else 0.55),
            given=given, father=father, grandfather=None if nat == "RUS" else grandfather,
            family=family, mother=mother[0], mother_family=mother[1],
            alias=_alias(rng, nat, sex), place=tb.PLACES[nat].pick(rng), phone=phone, nin=nin,
            passport=_passport(rng, nat), group=tb.GROUPS[nat].pick(rng),
            civilian=rng.random() < civilian_p,
        )

    def single(self) -> Person:
        """An unrelated person."""
        rng = self.rng
        nat = self.nationality()
        sex = self.sex(nat)
        line = _Lineage(rng, nat)
        given = line.given(rng, sex, set())
        return self.person(nat, sex, self.dob_for_age(_age(rng, nat)), given,
                           line.male.pick(rng), line.grandfather, line.family, line.mother(rng))

    def unit(self, p_group: float, remaining: int) -> list[Person]:
        """One singleton or a group of relatives/namesakes (at most ``remaining`` persons)."""
        rng = self.rng
        if remaining < 2 or rng.random() >= p_group:
            return [self.single()]
        kind = _KINDS[bisect(_KIND_CUM, rng.random() * _KIND_CUM[-1])]
        nat = "LBY" if kind == "namesakes" and rng.random() < 0.9 else self.nationality()
        persons = getattr(self, "_" + kind)(nat)
        return persons[:remaining]

    def _siblings(self, nat: str, twins: bool = False) -> list[Person]:
        rng = self.rng
        line = _Lineage(rng, nat)
        father = line.given(rng, "M", set())
        mother = line.mother(rng)
        household = new_phone(rng) if rng.random() < 0.6 else ""
        size = 2 if twins else (2 if rng.random() < 0.6 else 3 if rng.random() < 0.75 else 4)
        age = _age(rng, nat)
        dob = self.dob_for_age(age)
        used = {father.ar}
        out: list[Person] = []
        for i in range(size):
            if i and not twins:
                dob = max(self.dob_for_age(80), min(self.dob_for_age(12),
                          dob + rng.choice((-1, 1)) * rng.randint(400, 2500)))
            sex = "M" if nat == "RUS" or rng.random() < 0.8 else "F"
            if twins and i == 1 and out[0].given.ar in ("حسن", "حسين") and sex == "M":
                given = [n for n in tb.LIBYAN_MALE.items if n.ar in ("حسن", "حسين")
                         and n.ar != out[0].given.ar][0]
            else:
                given = line.given(rng, sex, used)
            phone = household if household and rng.random() < 0.5 else None
            out.append(self.person(nat, sex, dob, given, father, line.grandfather,
                                   line.family, mother, phone))
        return out

    def _twins(self, nat: str) -> list[Person]:
        return self._siblings(nat, twins=True)

    def _father_son(self, nat: str) -> list[Person]:
        rng = self.rng
        line = _Lineage(rng, nat)
        son_age = min(_age(rng, nat), 60)
        father_age = min(85, son_age + rng.randint(20, 40))
        used = {line.grandfather.ar}
        dad_name = line.given(rng, "M", used)
        dad = self.person(nat, "M", self.dob_for_age(father_age), dad_name, line.grandfather,
                          line.great, line.family, line.mother(rng))
        out = [dad]
        mother = line.mother(rng)
        for _ in range(1 if rng.random() < 0.8 else 2):
            son_name = line.given(rng, "M", used)
            phone = dad.phone if dad.phone and rng.random() < 0.3 else None
            out.append(self.person(nat, "M", self.dob_for_age(son_age), son_name, dad_name,
                                   line.grandfather, line.family, mother, phone))
            son_age = max(12, son_age - rng.randint(2, 6))
        return out

    def _uncle_nephew(self, nat: str) -> list[Person]:
        rng = self.rng
        line = _Lineage(rng, nat)
        used = {line.grandfather.ar}
        uncle_name = line.given(rng, "M", used)
        brother = line.given(rng, "M", used)
        nephew_age = min(_age(rng, nat), 55)
        uncle_age = min(85, nephew_age + rng.randint(10, 30))
        uncle = self.person(nat, "M", self.dob_for_age(uncle_age), uncle_name, line.grandfather,
                            line.great, line.family, line.mother(rng))
        nephew = self.person(nat, "M", self.dob_for_age(nephew_age), line.given(rng, "M", used),
                             brother, line.grandfather, line.family, line.mother(rng))
        return [uncle, nephew]

    def _cousins(self, nat: str) -> list[Person]:
        rng = self.rng
        line = _Lineage(rng, nat)
        used = {line.grandfather.ar}
        age = _age(rng, nat)
        out: list[Person] = []
        for _ in range(2 if rng.random() < 0.75 else 3):
            father = line.given(rng, "M", used)
            a = max(12, min(80, age + rng.randint(-8, 8)))
            out.append(self.person(nat, "M", self.dob_for_age(a), line.given(rng, "M", used),
                                   father, line.grandfather, line.family, line.mother(rng)))
        return out

    def _namesakes(self, nat: str) -> list[Person]:
        rng = self.rng
        line = _Lineage(rng, nat)
        male = line.male
        given, father, grand = male.pick_common(rng), male.pick_common(rng), male.pick_common(rng)
        family = tb.LIBYAN_FAMILY.pick_common(rng) if nat == "LBY" else line.family
        out: list[Person] = []
        for _ in range(2 if rng.random() < 0.8 else 3):
            other = _Lineage(rng, nat)
            out.append(self.person(nat, "M", self.dob_for_age(_age(rng, nat)), given, father,
                                   grand, family, other.mother(rng)))
        return out
