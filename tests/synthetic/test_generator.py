"""Tests for the synthetic registration generator (synthetic.generate)."""

from __future__ import annotations

import csv
import itertools
import random
import re
import tracemalloc
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import phonenumbers
import pycountry
import pytest

from synthetic import (
    RECORD_COLUMNS,
    SyntheticConfig,
    armed_groups,
    generate,
    iter_records,
    persons_for_records,
    write_csv,
)
from synthetic.people import Factory, group_probability

README_COLUMNS = (
    "record_id", "site", "registered_on", "category", "sex", "date_of_birth", "given_name",
    "father_name", "grandfather_name", "family_name", "mother_name", "alias", "place_of_birth",
    "nationality", "phone", "national_id", "passport_no", "armed_group",
)
ARABIC = re.compile("[\u0600-\u06ff]")
CYRILLIC = re.compile("[\u0400-\u04ff]")
RECORD_ID = re.compile(r"^([A-Z]{3})-(\d{4})-(\d{6})$")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه", "ئ": "ي", "ؤ": "و",
                       "ـ": None, " ": None})

Records = tuple[list[dict[str, str]], dict[str, str]]


@pytest.fixture(scope="module")
def messy() -> Records:
    return generate(SyntheticConfig(n_persons=8000, seed=11))


@pytest.fixture(scope="module")
def valid() -> Records:
    return generate(SyntheticConfig(n_persons=8000, seed=12, registry_valid=True))


def _by_person(records: list[dict[str, str]], truth: dict[str, str]) -> dict[str, list]:
    out: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in records:
        out[truth[r["record_id"]]].append(r)
    return out


def _ar_key(text: str) -> str:
    """Rough Arabic fold for spotting shared name parts in tests."""
    text = re.sub("[\u064b-\u0652]", "", text).translate(_FOLD)
    return text[2:] if text.startswith("ال") else text


def _age(dob: str, on: date) -> int:
    born = date.fromisoformat(dob) if len(dob) == 10 else date(int(dob), 7, 1)
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def test_columns_match_the_record_contract(messy: Records) -> None:
    records, _ = messy
    assert RECORD_COLUMNS == README_COLUMNS
    for r in records:
        assert tuple(r) == RECORD_COLUMNS
        assert all(isinstance(v, str) for v in r.values())


def test_deterministic_by_seed() -> None:
    a = generate(SyntheticConfig(n_persons=500, seed=3))
    b = generate(SyntheticConfig(n_persons=500, seed=3))
    c = generate(SyntheticConfig(n_persons=500, seed=4))
    assert a == b
    assert a[0] != c[0]


def test_truth_is_consistent(messy: Records) -> None:
    records, truth = messy
    ids = [r["record_id"] for r in records]
    assert len(ids) == len(set(ids))
    assert set(truth) == set(ids)
    assert len(set(truth.values())) == 8000
    per_site: dict[str, list[int]] = defaultdict(list)
    for r in records:
        m = RECORD_ID.match(r["record_id"])
        assert m, r["record_id"]
        assert m.group(1) == r["site"]
        assert m.group(2) == "2025" == r["registered_on"][:4]
        per_site[r["site"]].append(int(m.group(3)))
    for numbers in per_site.values():
        assert numbers == list(range(1, len(numbers) + 1))  # numbered per site, in order
    dates = [r["registered_on"] for r in records]
    assert dates == sorted(dates)
    counts = Counter(truth.values())
    share = sum(1 for c in counts.values() if c > 1) / len(counts)
    assert 0.22 <= share <= 0.28


def test_duplicate_share_is_configurable() -> None:
    _, truth = generate(SyntheticConfig(n_persons=2000, seed=1, duplicate_share=0.0))
    assert len(truth) == 2000
    _, truth = generate(SyntheticConfig(n_persons=2000, seed=1, duplicate_share=0.6))
    assert 1.6 * 2000 < len(truth) < 1.9 * 2000


def test_persons_for_records_targets_record_count() -> None:
    n = persons_for_records(20_000)
    records, _ = generate(SyntheticConfig(n_persons=n, seed=2))
    assert 19_000 < len(records) < 21_000


def test_arabic_latin_and_cyrillic_records_occur(messy: Records) -> None:
    records, truth = messy
    arabic = sum(bool(ARABIC.search(r["given_name"])) for r in records)
    assert 0.35 < arabic / len(records) < 0.65
    assert sum(bool(CYRILLIC.search(r["given_name"])) for r in records) > 0
    pairs = cross = 0
    for rs in _by_person(records, truth).values():
        for a, b in itertools.combinations(rs, 2):
            pairs += 1
            cross += bool(ARABIC.search(a["given_name"])) != bool(ARABIC.search(b["given_name"]))
    assert pairs > 1000
    assert 0.35 < cross / pairs < 0.65


def test_duplicates_vary_but_share_the_person(messy: Records) -> None:
    records, truth = messy
    differing = 0
    dups = [rs for rs in _by_person(records, truth).values() if len(rs) > 1]
    for rs in dups:
        a, b = rs[0], rs[1]
        differing += a["given_name"] != b["given_name"] or a["family_name"] != b["family_name"]
    assert differing / len(dups) > 0.6


def _relative_pairs(records: list[dict[str, str]], truth: dict[str, str]) -> Counter[str]:
    """Count pairs of different persons that look like siblings or father/son (Arabic records)."""
    full = [r for r in records if ARABIC.search(r["given_name"]) and r["father_name"]
            and r["grandfather_name"] and r["family_name"] and " " not in r["given_name"]]
    lineage: dict[tuple[str, str, str], list[dict[str, str]]] = defaultdict(list)
    child_of: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for r in full:
        key = (_ar_key(r["father_name"]), _ar_key(r["grandfather_name"]), _ar_key(r["family_name"]))
        lineage[key].append(r)
        child_of[(_ar_key(r["father_name"]), _ar_key(r["family_name"]))].append(r)
    found: Counter[str] = Counter()
    for group in lineage.values():
        for a, b in itertools.combinations(group, 2):
            if truth[a["record_id"]] != truth[b["record_id"]]:
                same_given = _ar_key(a["given_name"]) == _ar_key(b["given_name"])
                found["namesake" if same_given else "sibling"] += 1
                if not same_given and a["date_of_birth"] == b["date_of_birth"] != "":
                    found["twin"] += 1
    for r in full:
        for son in child_of.get((_ar_key(r["given_name"]), _ar_key(r["family_name"])), []):
            if (_ar_key(son["grandfather_name"]) == _ar_key(r["father_name"])
                    and truth[son["record_id"]] != truth[r["record_id"]]):
                found["father_son"] += 1
    return found


def test_relatives_and_namesakes_are_different_persons(messy: Records) -> None:
    records, truth = messy
    found = _relative_pairs(records, truth)
    assert found["sibling"] >= 20
    assert found["father_son"] >= 5
    assert found["namesake"] >= 5
    assert found["twin"] >= 1
    lone, lone_truth = generate(SyntheticConfig(n_persons=8000, seed=11, relative_share=0.0))
    none = _relative_pairs(lone, lone_truth)
    assert none["sibling"] < found["sibling"] / 2



def test_family_units_have_the_right_structure() -> None:
    factory = Factory(random.Random(5), date(2025, 7, 1).toordinal())
    brothers = factory._siblings("LBY")
    a, b = brothers[0], brothers[1]
    assert a.pid != b.pid
    assert a.given.ar != b.given.ar
    assert (a.father, a.grandfather, a.family, a.mother) == (b.father, b.grandfather, b.family,
                                                             b.mother)
    assert a.dob != b.dob
    t1, t2 = factory._twins("LBY")
    assert t1.dob == t2.dob
    assert t1.given.ar != t2.given.ar
    assert t1.father == t2.father
    dad, son = factory._father_son("LBY")[:2]
    assert son.father == dad.given
    assert son.grandfather == dad.father
    assert son.family == dad.family
    assert (son.dob - dad.dob) / 365.25 >= 15
    uncle, nephew = factory._uncle_nephew("LBY")
    assert uncle.father == nephew.grandfather
    assert uncle.given != nephew.father
    c1, c2 = factory._cousins("LBY")[:2]
    assert c1.grandfather == c2.grandfather
    assert c1.father != c2.father
    n1, n2 = factory._namesakes("LBY")[:2]
    assert (n1.given, n1.father, n1.grandfather, n1.family) == (n2.given, n2.father,
                                                                n2.grandfather, n2.family)
    assert n1.pid != n2.pid


@pytest.mark.parametrize("share", [0.0, 0.3, 0.6])
def test_relative_share_is_respected(share: float) -> None:
    factory = Factory(random.Random(1), date(2025, 7, 1).toordinal())
    p = group_probability(share)
    in_groups = total = 0
    while total < 20_000:
        unit = factory.unit(p, 20_000 - total)
        total += len(unit)
        in_groups += len(unit) if len(unit) > 1 else 0
    assert abs(in_groups / total - share) < 0.04


def test_registry_valid_records_pass_the_rules(valid: Records) -> None:
    records, _ = valid
    adult_categories = {"libyan_combatant", "foreign_fighter", "associated_civilian"}
    nins = phones = 0
    for r in records:
        reg = date.fromisoformat(r["registered_on"])
        dob = r["date_of_birth"]
        assert re.fullmatch(r"\d{4}(-\d{2}-\d{2})?", dob), r
        born = date.fromisoformat(dob) if len(dob) == 10 else date(int(dob), 1, 1)
        assert born <= reg
        age = _age(dob, reg)
        assert 10 <= age <= 90, r
        assert (r["category"] == "child") == (age < 18), r
        assert r["category"] == "child" or r["category"] in adult_categories
        assert r["sex"] in ("M", "F")
        assert pycountry.countries.get(alpha_3=r["nationality"]) is not None
        if r["category"] == "libyan_combatant":
            assert r["nationality"] == "LBY"
            assert r["family_name"]
        if r["category"] == "foreign_fighter":
            assert r["nationality"] != "LBY"
        assert r["given_name"], r
        assert r["father_name"], r
        if r["national_id"]:
            nins += 1
            nin = r["national_id"]
            assert re.fullmatch(r"\d{12}", nin), r
            assert nin[0] == {"M": "1", "F": "2"}[r["sex"]]
            assert nin[1:5] == dob[:4]
            assert r["nationality"] == "LBY"
        if r["phone"]:
            phones += 1
            text = r["phone"].replace("00218", "+218", 1) if r["phone"].startswith("00") \
                else r["phone"]
            number = phonenumbers.parse(text, "LY")
            if not phonenumbers.is_valid_number(number):
                number = phonenumbers.parse("+" + re.sub(r"\D", "", text), None)
            assert phonenumbers.is_valid_number(number), r["phone"]
            assert phonenumbers.region_code_for_number(number) == "LY"
            assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
        if r["passport_no"]:
            assert re.fullmatch(r"[A-Z0-9]{5,20}", r["passport_no"].replace(" ", "").upper())
    assert nins > 500
    assert phones > 2000
    assert Counter(r["category"] for r in records)["child"] > 100


def test_registry_valid_armed_groups_are_listed(valid: Records) -> None:
    records, _ = valid
    known = {p.casefold() for code, en, ar, aliases in armed_groups()
             for p in (code, en, ar, *aliases)}
    used = [r["armed_group"] for r in records if r["armed_group"]]
    assert used
    assert all(g.casefold() in known for g in used)
    codes = [g[0] for g in armed_groups()]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[A-Z0-9_-]{2,40}", c) for c in codes)


def test_messy_mode_contains_what_the_registry_refuses(messy: Records) -> None:
    records, _ = messy
    bad_nin = sum(1 for r in records if r["national_id"]
                  and not re.fullmatch(r"\d{12}", r["national_id"]))
    missing_dob = sum(1 for r in records if not r["date_of_birth"])
    assert bad_nin > 0
    assert missing_dob > 0.03 * len(records)


def test_variation_kinds_occur(messy: Records) -> None:
    records, _ = messy
    dobs = [r["date_of_birth"] for r in records]
    assert any(len(d) == 4 for d in dobs)
    assert any(d.endswith("-01-01") for d in dobs)
    phones = [r["phone"] for r in records if r["phone"]]
    assert any(p.startswith("+218 ") for p in phones)
    assert any(p.startswith("09") for p in phones)
    assert any(p.startswith("00218") for p in phones)
    families = [r["family_name"] for r in records]
    assert any(f.startswith("al-") for f in families)
    assert any(f.startswith("ال") for f in families)
    assert any(f.lower().startswith("el") for f in families)
    given = [r["given_name"] for r in records]
    assert any(g.startswith("عبد ") for g in given)
    assert any(g.startswith("عبدال") for g in given)
    assert any(g.isupper() for g in given)
    assert any(g.islower() for g in given)
    assert any(r["passport_no"] for r in records if r["nationality"] != "LBY")
    assert not any(r["passport_no"] for r in records if r["nationality"] == "LBY")


def test_write_csv_streams_records_and_truth(tmp_path: Path) -> None:
    cfg = SyntheticConfig(n_persons=300, seed=9)
    out, truth_out = tmp_path / "records.csv", tmp_path / "truth.csv"
    n = write_csv(out, cfg, truth_out)
    records, truth = generate(cfg)
    assert n == len(records)
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == RECORD_COLUMNS
    assert rows == records
    with truth_out.open(encoding="utf-8", newline="") as fh:
        assert {r["record_id"]: r["person_id"] for r in csv.DictReader(fh)} == truth


def test_iter_records_is_lazy() -> None:
    """The first record of five million persons comes without building the others (what it
    allocates, not how long it takes: the suite asserts no timings)."""
    tracemalloc.start()
    try:
        rec, pid = next(iter(iter_records(SyntheticConfig(n_persons=5_000_000, seed=1))))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20
    assert rec["record_id"]
    assert pid


def test_bad_config_is_refused() -> None:
    with pytest.raises(ValueError, match="n_persons"):
        next(iter(iter_records(SyntheticConfig(n_persons=-1))))
    with pytest.raises(ValueError, match="site"):
        next(iter(iter_records(SyntheticConfig(n_persons=10, sites=()))))
    with pytest.raises(ValueError, match="duplicate_share"):
        next(iter(iter_records(SyntheticConfig(n_persons=10, duplicate_share=1.5))))
