"""Comparisons that survive a typing error: one edit in a name or an identifier."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matching import online, score_candidates
from matching.features import ID_LEVELS, NameTable, compare_pairs
from matching.levels import FIELD_LEVELS, NAME_LEVELS, comparison_levels
from matching.records import RECORD_COLUMNS, compared_values, prepare_records, records_frame
from matching.scoring import DEFAULT_SETTINGS, decide, default_model, pair_components
from matching.similarity import ONE_EDIT_FLOOR, WordTable, field_similarity
from synthetic import SyntheticConfig, iter_records, persons_for_records


@pytest.mark.parametrize(
    ("a", "b"),
    [("ظحمد", "محمد"), ("وىيد", "وليد"), ("gamati", "amati"), ("ali", "aki")],
    ids=["arabic-neighbour-key", "arabic-dotted-letter", "latin-dropped-letter",
         "latin-three-letters"],
)
def test_one_edit_apart_scores_at_least_the_floor(a: str, b: str) -> None:
    table = WordTable([a, b])
    batch = float(table.similarity(np.array([0]), np.array([1]))[0])
    assert batch >= np.float32(ONE_EDIT_FLOOR)
    assert field_similarity(a, b) == batch


@pytest.mark.parametrize(
    ("a", "b"),
    [("سالم", "سلمان"), ("ab", "ac"), ("علي", "aki")],
    ids=["two-edits", "too-short", "other-script"],
)
def test_floor_needs_one_edit_same_script_three_letters(a: str, b: str) -> None:
    table = WordTable([a, b])
    batch = float(table.similarity(np.array([0]), np.array([1]))[0])
    assert batch < np.float32(ONE_EDIT_FLOOR)
    assert field_similarity(a, b) == batch


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("0912345678", "0912345678", "same"),
        ("0912345678", "0912345679", "one_digit"),
        ("0912345678", "0921345678", "one_digit"),
        ("0912345678", "091234567", "one_digit"),
        ("0912345678", "09123456789", "one_digit"),
        ("0912345678", "0919999999", "different"),
        ("0912345678", "", "missing"),
    ],
    ids=["same", "changed", "swapped", "dropped", "added", "different", "missing"],
)
def test_phone_levels_batch_and_online(a: str, b: str, level: str) -> None:
    records = [{"record_id": "A", "phone": a}, {"record_id": "B", "phone": b}]
    prepared = prepare_records(records_frame(records))
    batch = compare_pairs(prepared, np.array([0]), np.array([1]))["phone"][0]
    assert ID_LEVELS[batch] == level
    one = online._digit_level(compared_values(records[0])["phone"],
                              compared_values(records[1])["phone"])
    assert ID_LEVELS[one] == level



@pytest.mark.parametrize(
    ("a", "b", "distinct"),
    [("Ahmed", "محمد", True), ("Mohamed", "محمد", False), ("Ahmed", "Mohamed", True)],
    ids=["two-names-across-scripts", "one-name-across-scripts", "two-names-latin"],
)
def test_two_common_names_are_two_names_in_any_script(a: str, b: str, distinct: bool) -> None:
    base = {"father_name": "عبد السلام", "family_name": "الورفلي", "date_of_birth": "1988"}
    [pair] = score_candidates({**base, "given_name": a, "record_id": "a"},
                              [{**base, "given_name": b, "record_id": "b"}])
    flagged = any(c.field == "given_name" and c.level == "distinct" for c in pair.explanation)
    assert flagged is distinct


@pytest.mark.parametrize(
    ("field", "a", "b", "level"),
    [
        ("mother_name", "Aisha", "Aicha Al Ferjani", "similar"),
        ("mother_name", "مريم", "MARYAM BELHAJ", "similar"),
        ("mother_name", "Fatima", "Aisha Al Ferjani", "different"),
        ("mother_name", "Fatima Ali", "Fatima Omar", "weak"),
        ("place_of_birth", "Faya", "Faya-Largeau", "similar"),
        ("place_of_birth", "Faya Largeau", "Faya-Largeau", "exact"),
    ],
    ids=["given-name-only", "across-scripts", "other-given-name", "two-family-names",
         "place-and-region", "same-words"],
)
def test_a_value_with_fewer_words_meets_the_first_word(field: str, a: str, b: str,
                                                       level: str) -> None:
    records = [{"record_id": "A", field: a}, {"record_id": "B", field: b}]
    prepared = prepare_records(records_frame(records))
    found = comparison_levels(compare_pairs(prepared, np.array([0]), np.array([1])))
    assert NAME_LEVELS[found[field][0]] == level
    terms = online.compare(online.prepare(records[0], default_model()),
                           online.prepare(records[1], default_model()))
    assert NAME_LEVELS[terms.levels[field]] == level


def test_name_table_scores_each_name_pair_once_across_chunks() -> None:
    rows = [record for record, _ in iter_records(
        SyntheticConfig(n_persons=persons_for_records(400), seed=5))]
    prepared = prepare_records(pd.DataFrame(rows, columns=list(RECORD_COLUMNS)).astype(str))
    rng = np.random.default_rng(5)
    ia = rng.integers(0, len(prepared), 6000)
    ib = rng.integers(0, len(prepared), 6000)
    whole = compare_pairs(prepared, ia, ib, NameTable(prepared))
    names = NameTable(prepared)
    chunks = [compare_pairs(prepared, ia[s:s + 1000], ib[s:s + 1000], names)
              for s in range(0, len(ia), 1000)]
    for key, values in whole.items():
        np.testing.assert_array_equal(np.concatenate([c[key] for c in chunks]), values)
    # every pair of names met is kept once, sorted, and found again without being rescored
    assert len(names.known_keys) > 1000
    assert (np.diff(names.known_keys) > 0).all()
    kept = len(names.known_keys)
    again = compare_pairs(prepared, ia[:1000], ib[:1000], names)
    np.testing.assert_array_equal(again["full"], chunks[0]["full"])
    assert len(names.known_keys) == kept


@pytest.mark.parametrize(
    ("born_a", "born_b", "level"),
    [
        ("2009-07-25", "2010-12-18", "different_sibling"),
        ("2009-07-25", "2010-07-25", "different_relative"),
        ("2009-07-25", "2010", "different_relative"),
        ("2009-07-25", "2010-01-01", "different_relative"),
        ("2009-07-25", "2011-07-25", "different_sibling"),
        ("2009-07-25", "2009-07-25", "different_twin"),
    ],
    ids=["a-year-and-months-apart", "a-year-typo", "year-only", "first-of-january",
         "two-years-apart", "same-day"],
)
def test_births_apart_make_siblings_batch_and_online(born_a: str, born_b: str,
                                                     level: str) -> None:
    base = {"father_name": "Jibril", "grandfather_name": "Ayman", "family_name": "al-Warfalli"}
    records = [{**base, "record_id": "A", "given_name": "Ahmid", "date_of_birth": born_a},
               {**base, "record_id": "B", "given_name": "Abdulhafiz", "date_of_birth": born_b}]
    prepared = prepare_records(records_frame(records))
    model = default_model()
    levels, _, _ = model.components(prepared, np.array([0]), np.array([1]),
                                    compare_pairs(prepared, np.array([0]), np.array([1])))
    assert FIELD_LEVELS["given_name"][levels["given_name"][0]] == level
    terms = online.compare(online.prepare(records[0], model), online.prepare(records[1], model))
    assert FIELD_LEVELS["given_name"][terms.levels["given_name"]] == level
    [pair] = score_candidates(records[0], [records[1]])
    if level == "different_sibling":
        assert pair.decision != "match"


def test_unlike_given_names_with_the_nasab_shared_go_to_review() -> None:
    # brothers: one date of birth missing, the mother written once with her family name
    base = {"father_name": "Walid", "grandfather_name": "Walid", "family_name": "Al-Zawy",
            "place_of_birth": "Tarabulus", "sex": "M"}
    records = [
        {**base, "record_id": "A", "given_name": "Aouad", "mother_name": "Zahraa"},
        {**base, "record_id": "B", "given_name": "Emhamed", "mother_name": "Zahra Al-Harati",
         "date_of_birth": "1987-03-08"},
    ]
    model = default_model()
    prepared = prepare_records(records_frame(records))
    found = pair_components(prepared, np.array([0]), np.array([1]), model)
    assert found.levels["unlike_relatives"][0] == 1
    assert found.scores[0] >= DEFAULT_SETTINGS.match_threshold  # the model alone merges them
    assert decide(found.scores, found.relatives, DEFAULT_SETTINGS, found.identifiers)[0] == (
        "possible")
    [pair] = score_candidates(records[0], [records[1]])
    assert pair.decision == "possible"
    # one name written two ways is not two names
    spelled = [{**records[0], "given_name": "Mhamed"}, records[1]]
    prepared = prepare_records(records_frame(spelled))
    found = pair_components(prepared, np.array([0]), np.array([1]), model)
    assert found.levels["unlike_relatives"][0] == 0
