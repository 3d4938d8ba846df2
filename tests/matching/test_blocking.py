"""Blocking keys: same keys across scripts, same keys online and in batch, no lone fields."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from matching import blocking_keys
from matching.batch import read_records_csv
from matching.blocking import candidate_pairs, frame_keys, key_groups, neighbourhood_order
from matching.evaluation import true_pairs
from matching.records import prepare_records, records_frame


def test_latin_and_arabic_registrations_share_keys(
    families_records: dict[str, dict[str, str]],
) -> None:
    latin = set(blocking_keys(families_records["MIS-2025-000001"]))
    arabic = set(blocking_keys(families_records["SEB-2025-000001"]))
    assert latin & arabic


def test_every_key_combines_two_pieces_of_evidence(
    families_records: dict[str, dict[str, str]],
) -> None:
    for record in families_records.values():
        for key in blocking_keys(record):
            kind, _, value = key.partition(":")
            parts = value.split("|")
            if kind in ("nid", "pp"):  # a whole near-unique identifier stands alone
                assert len(value) >= 6, key
                continue
            assert len(parts) >= 2, key
            assert all(parts), key


def test_whole_identifiers_alone_are_keys_placeholders_are_not() -> None:
    keys = blocking_keys({"national_id": "1 1988 0123456", "passport_no": "p-0720 5452"})
    assert keys == ["nid:119880123456", "pp:P07205452"]
    assert blocking_keys({"national_id": "000000000000", "passport_no": "123"}) == []


def test_missing_fields_give_no_keys() -> None:
    assert blocking_keys({"given_name": "Ali"}) == []


def test_batch_keys_equal_online_keys(families_path: Path) -> None:
    frame = read_records_csv(families_path)
    prepared = prepare_records(frame)
    online = [blocking_keys(r) for r in frame.to_dict("records")]
    assert frame_keys(prepared) == online
    # the vectorised groups give the same candidate pairs as the string keys
    a, b, _ = candidate_pairs(key_groups(prepared), len(prepared), max_block_size=10_000)
    expected = set()
    for i, keys_i in enumerate(online):
        for j in range(i + 1, len(online)):
            if set(keys_i) & set(online[j]):
                expected.add((i, j))
    assert set(zip(a.tolist(), b.tolist(), strict=True)) == expected


def test_blocking_finds_all_fixture_duplicates(
    families_path: Path, families_truth: dict[str, str]
) -> None:
    frame = read_records_csv(families_path)
    prepared = prepare_records(frame)
    a, b, _ = candidate_pairs(key_groups(prepared), len(prepared),
                              order=neighbourhood_order(prepared))
    ids = prepared["record_id"].to_numpy()
    found = {tuple(sorted(p)) for p in zip(ids[a], ids[b], strict=True)}
    assert true_pairs(families_truth) <= found


def test_oversized_blocks_fall_back_to_neighbours() -> None:
    rows = np.arange(100, dtype=np.int64)
    codes = np.zeros(100, dtype=np.int64)
    a, b, oversized = candidate_pairs([(rows, codes)], 100, max_block_size=10,
                                      order=rows.copy(), window=3)
    assert oversized == 1
    assert len(a) == 99 + 98 + 97
    assert ((b - a) <= 3).all()


def test_national_numbers_with_two_digits_swapped_meet() -> None:
    # the family name mistyped and no date of birth: only the national number can join them
    first = {"record_id": "a", "given_name": "Casey", "family_name": "Flatman",
             "national_id": "119930956420"}
    second = {"record_id": "b", "given_name": "Casey", "family_name": "Qlatan",
              "national_id": "119930954620"}
    assert set(blocking_keys(first)) & set(blocking_keys(second))
    prepared = prepare_records(records_frame([first, second]))
    a, b, _ = candidate_pairs(key_groups(prepared), len(prepared))
    assert list(zip(a.tolist(), b.tolist(), strict=True)) == [(0, 1)]
    other = {**second, "national_id": "119930954621"}  # a digit changed: not this key
    assert not {k for k in set(blocking_keys(first)) & set(blocking_keys(other))
                if k.startswith("id:")}
