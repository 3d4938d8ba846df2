"""Synthetic DDR registrations with ground truth, for demos, model training and benchmarks.

Invented persons (mostly Libyan, plus Sudanese, Chadian, Nigerien, Malian, Syrian, Egyptian,
Tunisian and Russian fighters) are registered once or several times at the sites; every
registration is rendered the way an officer might type it (Arabic script or Latin, spelling and
article variants, dropped or shifted name parts, partial dates, reformatted phones ...). Families
and namesakes supply the hard negatives. Output is streamed in registration-date order and is
deterministic for a given seed. Standard library only.
"""

from __future__ import annotations

import csv
import heapq
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from synthetic import render as rd
from synthetic import tables as tb
from synthetic.people import Factory, Person, group_probability

RECORD_COLUMNS: tuple[str, ...] = (
    "record_id", "site", "registered_on", "category", "sex", "date_of_birth", "given_name",
    "father_name", "grandfather_name", "family_name", "mother_name", "alias", "place_of_birth",
    "nationality", "phone", "national_id", "passport_no", "armed_group",
)

_SITE_WEIGHTS = {"TRP": 25, "BEN": 18, "MIS": 14, "SEB": 12, "ZAW": 9, "KUF": 7, "ZIN": 7,
                 "SRT": 8}
_SOUTH = {"SEB": 4.0, "KUF": 4.0}


@dataclass(frozen=True)
class SyntheticConfig:
    """Parameters of a synthetic registration set."""

    n_persons: int
    seed: int = 0
    duplicate_share: float = 0.25
    relative_share: float = 0.3
    registry_valid: bool = False
    sites: tuple[str, ...] = ("TRP", "BEN", "MIS", "SEB", "ZAW", "KUF", "ZIN", "SRT")
    year: int = 2025


def armed_groups() -> list[tuple[str, str, str, tuple[str, ...]]]:
    """The invented armed groups: (code, English name, Arabic name, other phrasings)."""
    out = []
    for g in tb.ALL_GROUPS:
        canonical = (g.english[0], g.arabic[0])
        aliases = tuple(a for a in dict.fromkeys(g.english + g.arabic) if a not in canonical)
        out.append((g.code, g.english[0], g.arabic[0], aliases))
    return out


def persons_for_records(n_records: int, duplicate_share: float = 0.25) -> int:
    """Number of persons that yields about ``n_records`` registrations."""
    return max(1, round(n_records / (1.0 + duplicate_share * rd.MEAN_EXTRA_REGISTRATIONS)))


class _Sites:
    """Weighted site draws, with foreigners leaning to the southern sites."""

    def __init__(self, sites: tuple[str, ...]) -> None:
        self.sites = sites
        self.local = rd.cumulative([float(_SITE_WEIGHTS.get(s, 10)) for s in sites])
        self.south = rd.cumulative(
            [float(_SITE_WEIGHTS.get(s, 10)) * _SOUTH.get(s, 1.0) for s in sites]
        )

    def pick(self, rng: random.Random, foreign: bool) -> str:
        """Draw a site."""
        return self.sites[rd.draw(rng, self.south if foreign else self.local)]

    def other(self, rng: random.Random, site: str, foreign: bool) -> str:
        """Draw a site, usually different from ``site``."""
        if len(self.sites) == 1 or rng.random() < 0.12:
            return site
        for _ in range(8):
            s = self.pick(rng, foreign)
            if s != site:
                return s
        return site


def _registration_count(rng: random.Random, share: float) -> int:
    if rng.random() >= share:
        return 1
    r = rng.random()
    return 2 if r < 0.8 else 3 if r < 0.95 else 4


def iter_records(config: SyntheticConfig) -> Iterator[tuple[dict[str, str], str]]:
    """Yield (record, person_id) pairs in registration-date order, streaming."""
    if config.n_persons < 0:
        raise ValueError("n_persons must be >= 0")
    if not config.sites:
        raise ValueError("at least one site is needed")
    for share in ("duplicate_share", "relative_share"):
        if not 0.0 <= getattr(config, share) <= 1.0:
            raise ValueError(f"{share} must be between 0 and 1")
    rng = random.Random(config.seed)
    start = date(config.year, 1, 1).toordinal()
    n_days = date(config.year, 12, 31).toordinal() - start + 1
    day_iso = [date.fromordinal(start + d).isoformat() for d in range(n_days)]
    sites = _Sites(config.sites)
    renderer = rd.Renderer(rng, config.year, config.registry_valid)
    counters = dict.fromkeys(config.sites, 0)
    heap: list[tuple[int, int, str, dict[str, str], str]] = []
    seq = 0
    made = 0
    n = config.n_persons
    p_group = group_probability(config.relative_share)
    factory = Factory(rng, start + n_days // 2)

    def emit(entry: tuple[int, int, str, dict[str, str], str]) -> tuple[dict[str, str], str]:
        _, _, site, rec, pid = entry
        counters[site] += 1
        rec["record_id"] = f"{site}-{config.year}-{counters[site]:06d}"
        return rec, pid

    while made < n:
        day0 = made * n_days // n
        while heap and heap[0][0] < day0:
            yield emit(heapq.heappop(heap))
        persons = factory.unit(p_group, n - made)
        made += len(persons)
        foreign = persons[0].nationality != "LBY"
        home = sites.pick(rng, foreign)
        together = rng.random() < 0.6
        for person in persons:
            day = day0 if together else min(n_days - 1, day0 + rng.randrange(30))
            site = home if rng.random() < 0.75 else sites.pick(rng, foreign)
            for k in range(_registration_count(rng, config.duplicate_share)):
                if k:
                    gap = 1 + int(rng.expovariate(1 / 45))
                    day = day + gap if day + gap < n_days else rng.randrange(day, n_days)
                    site = sites.other(rng, site, foreign)
                rec = renderer.record(person, site, start + day, day_iso[day])
                seq += 1
                heapq.heappush(heap, (day, seq, site, rec, person.pid))
    while heap:
        yield emit(heapq.heappop(heap))


def generate(config: SyntheticConfig) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Return all records and the truth mapping {record_id: person_id}."""
    records: list[dict[str, str]] = []
    truth: dict[str, str] = {}
    for rec, pid in iter_records(config):
        records.append(rec)
        truth[rec["record_id"]] = pid
    return records, truth


def write_csv(
    path: str | os.PathLike[str],
    config: SyntheticConfig,
    truth_path: str | os.PathLike[str] | None = None,
) -> int:
    """Stream the records (and optionally truth.csv) to disk; return the record count."""
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        tfh = open(truth_path, "w", newline="", encoding="utf-8") if truth_path else None
        try:
            writer = csv.writer(fh)
            writer.writerow(RECORD_COLUMNS)
            twriter = csv.writer(tfh) if tfh else None
            if twriter:
                twriter.writerow(("record_id", "person_id"))
            for rec, pid in iter_records(config):
                writer.writerow([rec[c] for c in RECORD_COLUMNS])
                if twriter:
                    twriter.writerow((rec["record_id"], pid))
                count += 1
        finally:
            if tfh:
                tfh.close()
    return count


def main(argv: list[str] | None = None) -> int:
    """Command line: python -m synthetic N_PERSONS OUT.csv [TRUTH.csv] [--seed S]."""
    import argparse

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("n_persons", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("truth", type=Path, nargs="?")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--registry-valid", action="store_true")
    args = ap.parse_args(argv)
    cfg = SyntheticConfig(args.n_persons, seed=args.seed, registry_valid=args.registry_valid)
    n = write_csv(args.out, cfg, args.truth)
    print(f"{n} records written to {args.out}")
    return 0


__all__ = [
    "RECORD_COLUMNS", "Person", "SyntheticConfig", "armed_groups", "generate", "iter_records",
    "persons_for_records", "write_csv",
]
