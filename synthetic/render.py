"""Render a synthetic person as one registration, the way an officer might have typed it."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from datetime import date
from itertools import accumulate

from synthetic.people import Person, new_phone
from synthetic.tables import SUN_INITIALS, Name

MEAN_EXTRA_REGISTRATIONS = 0.8 * 1 + 0.15 * 2 + 0.05 * 3

_HAMZA = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})
_CARRIERS = str.maketrans({"ئ": "ي", "ؤ": "و"})
_AR_CONFUSE = {
    "ح": "خج", "خ": "حج", "ج": "حخ", "س": "صش", "ص": "سض", "د": "ذ", "ذ": "دز", "ت": "طث",
    "ط": "تظ", "ز": "رذ", "ر": "ز", "ع": "غ", "غ": "ع", "ف": "ق", "ق": "فك", "ه": "ة",
    "ي": "ى", "ك": "ق", "ن": "ت", "ض": "ص",
}
_TASHKEEL = ("\u064e", "\u064f", "\u0650", "\u0651", "\u0652")
_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_LAT_KEYS = "qwertyuiopasdfghjklzxcvbnm"

_ARTICLES = ("al-{}", "Al-{}", "El {}", "El-{}", "El{low}", "Al{low}", "{}", "Al {}", "el-{}")
_ARTICLE_CUM = list(accumulate((25, 12, 10, 6, 7, 5, 25, 6, 2)))
_PHONE_FORMATS = (
    "0{n}", "+218 {p} {a} {b}", "218{n}", "00218-{p}-{a}{b}", "+218{n}", "{n}", "0{p}-{a}-{b}",
    "0{p} {a} {b}", "00218{n}", "+218-{p}-{a}{b}", "(0{p}) {a}{b}",
)
_PHONE_CUM = list(accumulate((35, 12, 8, 6, 10, 8, 6, 6, 4, 3, 2)))


def cumulative(weights: list[float]) -> list[float]:
    """Cumulative weights for :func:`draw`."""
    return list(accumulate(weights))


def draw(rng: random.Random, cum: Sequence[float]) -> int:
    """Index drawn by cumulative weights."""
    return bisect(cum, rng.random() * cum[-1])


def _age_on(dob: date, when: date) -> int:
    return when.year - dob.year - ((when.month, when.day) < (dob.month, dob.day))


def _shift_year(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


class Renderer:
    """Turns persons into registration records with realistic variation."""

    def __init__(self, rng: random.Random, year: int, registry_valid: bool) -> None:
        self.rng = rng
        self.year = year
        self.valid = registry_valid

    # ---- text in the three scripts -------------------------------------------------------

    def arabic(self, text: str, family: bool = False) -> str:
        """Arabic-script spelling variants: hamza, final ya/ta marbuta, spacing, typos."""
        rng = self.rng
        if family and text.startswith("ال") and rng.random() < 0.15:
            text = text[2:]
        if rng.random() < 0.35:
            text = text.translate(_HAMZA)
        r = rng.random()
        if r < 0.3:
            if text.endswith("ى"):
                text = text[:-1] + "ي"
            elif text.endswith("ة"):
                text = text[:-1] + "ه"
            elif r < 0.05 and text.endswith("ي"):
                text = text[:-1] + "ى"
        if rng.random() < 0.15:
            text = text.translate(_CARRIERS)
        if " " in text:
            if rng.random() < 0.4:
                text = text.replace("عبد ", "عبد").replace(" الدين", "الدين").replace("أبو ", "أبو")
        elif text.startswith(("عبد", "أبو", "ابو")) and len(text) > 5 and rng.random() < 0.2:
            text = text[:3] + " " + text[3:]
        r = rng.random()
        if r < 0.025:
            text = self._arabic_typo(text)
        elif r < 0.035:
            i = rng.randrange(1, len(text) + 1)
            text = text[:i] + _TASHKEEL[rng.randrange(len(_TASHKEEL))] + text[i:]
        elif r < 0.04 and len(text) > 2:
            text = text[:2] + "ـ" + text[2:]
        return text

    def _arabic_typo(self, text: str) -> str:
        rng = self.rng
        if len(text) < 3:
            return text
        i = rng.randrange(len(text))
        ch = text[i]
        if ch in _AR_CONFUSE and rng.random() < 0.7:
            alts = _AR_CONFUSE[ch]
            return text[:i] + alts[rng.randrange(len(alts))] + text[i + 1 :]
        if ch != " ":
            return text[:i] + text[i + 1 :]
        return text

    def latin(self, name: Name) -> str:
        """One Latin spelling, with article forms for family names."""
        rng = self.rng
        variants = name.latin
        v = variants[0] if rng.random() < 0.45 else variants[rng.randrange(len(variants))]
        if name.family and name.article and " " not in v:
            low = v.lower()
            if low.startswith(SUN_INITIALS) and rng.random() < 0.05:
                j = 2 if low[:2] in ("th", "dh", "sh") else 1
                return f"{'a' if rng.random() < 0.5 else 'e'}{low[:j]}-{v}".capitalize()
            form = _ARTICLES[draw(rng, _ARTICLE_CUM)]
            v = form.format(v, low=low)
        return v

    def _latin_typo(self, text: str) -> str:
        rng = self.rng
        if len(text) < 4:
            return text
        i = rng.randrange(1, len(text) - 1)
        op = rng.randrange(4)
        if op == 0:
            return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        if op == 1:
            return text[:i] + text[i + 1 :]
        if op == 2:
            return text[:i] + text[i] + text[i:]
        return text[:i] + _LAT_KEYS[rng.randrange(26)] + text[i + 1 :]

    def name(self, name: Name | None, script: str, case: int) -> str:
        """A name part in the record's script, with case, typos and stray spaces."""
        if name is None:
            return ""
        if script == "ar":
            return self.arabic(name.ar, name.family)
        if script == "cyr" and name.cyr:
            return name.cyr
        return self._finish(self.latin(name), case)

    def _finish(self, text: str, case: int) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.03:
            text = self._latin_typo(text)
        elif r < 0.045:
            text = " " + text if r < 0.0375 else text + " "
        elif r < 0.05 and " " in text:
            text = text.replace(" ", "  ", 1)
        if case == 1:
            return text.upper()
        if case == 2:
            return text.lower()
        return text

    # ---- fields ------------------------------------------------------------------------

    def _script(self, p: Person) -> str:
        r = self.rng.random()
        if p.nationality == "RUS":
            return "ar" if r < 0.25 else "cyr" if r < 0.45 else "lat"
        if p.nationality in ("TCD", "NER", "MLI"):
            return "ar" if r < 0.35 else "lat"
        return "ar" if r < 0.5 else "lat"

    def _names(self, p: Person, script: str, case: int, need_family: bool) -> list[str]:
        rng = self.rng
        parts = [self.name(p.given, script, case), self.name(p.father, script, case),
                 self.name(p.grandfather, script, case), self.name(p.family, script, case)]
        if p.nationality == "RUS" and script != "ar" and rng.random() < 0.3:
            parts[1] = _patronymic(p.father, script == "cyr") or parts[1]
        elif p.nationality != "RUS" and rng.random() < 0.03:
            parts[1] = ("بن " if script == "ar" else "bin " if case != 1 else "BIN ") + parts[1]
        original = list(parts)
        g, f, gf, fam = parts
        r = rng.random()
        if r < 0.14:
            parts = [g, f, "", fam]
        elif r < 0.18:
            parts = [g, "", gf, fam]
        elif r < 0.22:
            parts = [g, f, gf, ""]
        elif r < 0.26:
            parts = [f"{g} {f}", gf, fam, ""] if rng.random() < 0.5 else [f"{g} {f}", gf, "", fam]
        elif r < 0.29 and gf:
            parts = [g, f, f"{gf} {fam}", ""]
        elif r < 0.31:
            parts = [g, f, fam, ""]
        elif r < 0.325 and gf:
            parts = [g, f"{f} {gf}", "", fam]
        elif r < 0.335 and not self.valid:
            parts = [" ".join(x for x in parts if x), "", "", ""]
        if self.valid:
            ok = parts[0] and parts[1] and (parts[3] or not need_family)
        else:
            ok = parts[0] and (parts[1] or parts[3])
        if not ok:
            parts = original
        return parts

    def _dob(self, p: Person, keep_year: bool, true_age: int) -> tuple[str, date | None]:
        """Rendered date of birth and, when a full date is written, that date."""
        rng = self.rng
        d = date.fromordinal(p.dob)
        # registry mode: a date is required, and no bare year near the age of 18
        boundary = self.valid and 15 <= true_age <= 21
        jan1 = d.replace(month=1, day=1)
        r = rng.random()
        if p.dob_estimated:
            if r < 0.45:
                return (jan1.isoformat(), jan1) if boundary else (str(d.year), None)
            if r < 0.8 or (r < 0.9 and self.valid):
                return jan1.isoformat(), jan1
            if r < 0.9:
                return "", None
            if boundary:
                return jan1.isoformat(), jan1
            if keep_year:
                return str(d.year), None
            return str(d.year + rng.choice((-1, 1))), None
        if r < 0.72:
            return d.isoformat(), d
        if r < 0.78:
            return (d.isoformat(), d) if boundary else (str(d.year), None)
        if r < 0.83:
            d = jan1
        elif r < 0.86:
            if d.day <= 12 and d.day != d.month:
                d = date(d.year, d.day, d.month)
        elif r < 0.89:
            if not keep_year:
                d = _shift_year(d, rng.choice((-1, 1)))
        elif r < 0.91:
            if not self.valid:
                s = d.isoformat()
                i = rng.choice((2, 3, 6, 9))
                return s[:i] + str(rng.randrange(10)) + s[i + 1 :], None
        elif not self.valid:
            return "", None
        return d.isoformat(), d

    def _nin(self, p: Person) -> str:
        rng = self.rng
        nin = p.nin
        if rng.random() < 0.05:
            digits = list(nin)
            if self.valid:
                i = rng.randrange(5, 12)
                digits[i] = str((int(digits[i]) + rng.randint(1, 9)) % 10)
            else:
                i = rng.randrange(12)
                op = rng.randrange(3)
                if op == 0:
                    digits[i] = str(rng.randrange(10))
                elif op == 1:
                    del digits[i]
                elif i < 11:
                    digits[i], digits[i + 1] = digits[i + 1], digits[i]
            nin = "".join(digits)
        if not self.valid:
            r = rng.random()
            if r < 0.04 and len(nin) == 12:
                nin = f"{nin[0]} {nin[1:5]} {nin[5:]}"
            elif r < 0.06:
                nin = nin.translate(_INDIC)
        return nin

    def _phone(self, p: Person) -> str:
        rng = self.rng
        nsn = p.phone if rng.random() >= 0.1 else new_phone(rng)
        fmt = _PHONE_FORMATS[draw(rng, _PHONE_CUM)]
        s = fmt.format(n=nsn, p=nsn[:2], a=nsn[2:5], b=nsn[5:])
        if not self.valid:
            r = rng.random()
            if r < 0.02:
                i = rng.randrange(len(s) - 3, len(s))
                s = s[:i] + s[i + 1 :]
            elif r < 0.04:
                s = s.translate(_INDIC)
        return s

    def _passport(self, p: Person) -> str:
        rng = self.rng
        s = p.passport
        r = rng.random()
        if r < 0.03:
            i = rng.randrange(len(s) - 4, len(s))
            s = s[:i] + str(rng.randrange(10)) + s[i + 1 :]
        elif r < 0.1:
            s = s.lower()
        elif r < 0.14:
            s = s[:3] + " " + s[3:]
        return s

    def _alias(self, p: Person, script: str, case: int) -> str:
        alias = p.alias
        if alias is None:
            return ""
        rng = self.rng
        if alias.kind.startswith("kunya"):
            prefix_ar = "أبو " if alias.kind == "kunya" else "أم "
            if script == "ar":
                return self.arabic(prefix_ar + alias.name.ar)
            lat = ("Abu ", "Abou ", "Bu ", "Abu-")[rng.randrange(4)]
            if alias.kind == "kunya_f":
                lat = "Um " if rng.random() < 0.6 else "Oum "
            return self._finish(lat + self.latin(alias.name), case)
        return self.name(alias.name, script, case)

    def record(self, p: Person, site: str, reg_ordinal: int, reg_iso: str) -> dict[str, str]:
        """One registration of person ``p`` at ``site`` on the given day (record_id unset)."""
        rng = self.rng
        script = self._script(p)
        r = rng.random()
        case = 0 if r < 0.6 else 1 if r < 0.82 else 2
        reg = date.fromordinal(reg_ordinal)
        true_age = _age_on(date.fromordinal(p.dob), reg)
        nin = self._nin(p) if p.nin and rng.random() < 0.7 else ""
        dob_text, dob_date = self._dob(p, self.valid and bool(nin), true_age)
        if dob_date is not None:
            age = _age_on(dob_date, reg)
        elif dob_text.isdigit() and len(dob_text) == 4:
            age = _age_on(date(int(dob_text), 7, 1), reg)  # the registry's convention
        else:
            age = true_age
        if age < 18:
            category = "child"
        elif p.nationality != "LBY":
            category = "associated_civilian" if p.civilian else "foreign_fighter"
        else:
            category = "associated_civilian" if p.civilian else "libyan_combatant"
        given, father, grandfather, family = self._names(
            p, script, case, need_family=category == "libyan_combatant"
        )
        other = "lat" if script == "ar" else "ar"
        mother = ""
        if p.mother is not None and rng.random() < 0.45:
            mscript = other if rng.random() < 0.08 else script
            mother = self.name(p.mother, mscript, case)
            if p.mother_family is not None and rng.random() < 0.6:
                mother += " " + self.name(p.mother_family, mscript, case)
        place = ""
        if rng.random() < 0.6:
            pl = p.place
            if script == "ar":
                place = self.arabic(pl.ar)
            elif script == "cyr" and pl.cyr:
                place = pl.cyr
            else:
                v = pl.latin[0] if rng.random() < 0.5 else pl.latin[rng.randrange(len(pl.latin))]
                place = self._finish(v, case)
        group = ""
        if rng.random() < 0.8:
            phr = p.group.arabic if rng.random() < (0.7 if script == "ar" else 0.25) else \
                p.group.english
            group = phr[rng.randrange(len(phr))]
        sex = p.sex
        if not self.valid and rng.random() < 0.003:
            sex = "F" if sex == "M" else "M"
        nationality = p.nationality if self.valid or rng.random() >= 0.02 else ""
        return {
            "record_id": "", "site": site, "registered_on": reg_iso, "category": category,
            "sex": sex, "date_of_birth": dob_text, "given_name": given, "father_name": father,
            "grandfather_name": grandfather, "family_name": family, "mother_name": mother,
            "alias": self._alias(p, script, case) if rng.random() < 0.5 else "",
            "place_of_birth": place, "nationality": nationality,
            "phone": self._phone(p) if p.phone and rng.random() < 0.8 else "",
            "national_id": nin,
            "passport_no": self._passport(p) if p.passport and rng.random() < 0.75 else "",
            "armed_group": group,
        }


def _patronymic(father: Name, cyrillic: bool) -> str:
    """Russian patronymic from the father's given name (regular forms only)."""
    if cyrillic:
        base = father.cyr
        if base.endswith("й"):
            return base[:-1] + "евич"
        return base + "ович" if base[-1:] not in "аяьиеёоуыэю" else ""
    base = father.latin[0]
    if base.endswith(("ey", "ei", "ay", "ai")):
        return base[:-1] + "evich"
    return base + "ovich" if base[-1:] not in "aeiouy" else ""
