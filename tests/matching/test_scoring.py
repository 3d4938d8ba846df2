"""Online scoring: decisions, explanations and the hard negatives (relatives, namesakes)."""

from __future__ import annotations

import string

import pytest

from matching import (
    DEFAULT_SETTINGS,
    EXPLANATION_MESSAGES,
    MatchSettings,
    load_model,
    score_candidates,
)

TRUE_PAIRS = [
    ("MIS-2025-000001", "SEB-2025-000001"),
    ("KUF-2025-000001", "TRP-2025-000003"),
    ("BEN-2025-000003", "MIS-2025-000002"),
    ("SEB-2025-000003", "KUF-2025-000002"),
    ("SEB-2025-000004", "TRP-2025-000004"),
]
HARD_NEGATIVES = [
    ("SEB-2025-000001", "SEB-2025-000002"),
    ("MIS-2025-000001", "SEB-2025-000002"),
    ("TRP-2025-000001", "TRP-2025-000002"),
    ("ZAW-2025-000001", "ZAW-2025-000002"),
    ("BEN-2025-000001", "BEN-2025-000002"),
    ("SRT-2025-000001", "SRT-2025-000002"),
]


@pytest.mark.parametrize(
    ("a", "b"), TRUE_PAIRS,
    ids=["latin-vs-arabic", "gaddafi-spellings-swapped-dob", "jammed-nasab-same-nid",
         "chadian-cross-script", "russian-cyrillic"],
)
def test_true_duplicates_are_matches(
    families_records: dict[str, dict[str, str]], a: str, b: str
) -> None:
    [pair] = score_candidates(families_records[a], [families_records[b]])
    assert pair.decision == "match", pair.explanation


@pytest.mark.parametrize(
    ("a", "b"), HARD_NEGATIVES,
    ids=["brothers", "brothers-cross-script", "twins", "father-and-son", "cousins",
         "namesakes"],
)
def test_relatives_and_namesakes_are_not_merged(
    families_records: dict[str, dict[str, str]], a: str, b: str
) -> None:
    [pair] = score_candidates(families_records[a], [families_records[b]])
    assert pair.decision != "match", (pair.score, [c.message for c in pair.explanation[:5]])


def test_namesakes_and_cousins_are_not_even_possible(
    families_records: dict[str, dict[str, str]],
) -> None:
    for a, b in [("SRT-2025-000001", "SRT-2025-000002"), ("BEN-2025-000001", "BEN-2025-000002")]:
        [pair] = score_candidates(families_records[a], [families_records[b]])
        assert pair.decision == "non_match"


def test_results_sorted_with_version_and_explanations(
    families_records: dict[str, dict[str, str]],
) -> None:
    record = families_records["MIS-2025-000001"]
    others = [r for k, r in families_records.items() if k != "MIS-2025-000001"]
    pairs = score_candidates(record, others)
    assert [p.score for p in pairs] == sorted((p.score for p in pairs), reverse=True)
    assert pairs[0].record_id_b == "SEB-2025-000001"
    assert all(p.model_version == load_model().version for p in pairs)
    for pair in pairs:
        assert 0.0 <= pair.score <= 1.0
        assert pair.decision in ("match", "possible", "non_match")
        for contribution in pair.explanation:
            assert EXPLANATION_MESSAGES[f"{contribution.field}.{contribution.level}"] == (
                contribution.template
            )
            placeholders = {f for _, f, _, _ in string.Formatter().parse(contribution.template)
                            if f}
            assert placeholders <= set(contribution.params)
            assert "{" not in contribution.message


def test_sibling_explanation_says_relatives(families_records: dict[str, dict[str, str]]) -> None:
    [pair] = score_candidates(families_records["SEB-2025-000001"],
                              [families_records["SEB-2025-000002"]])
    given = [c for c in pair.explanation if c.field == "given_name"]
    assert any(c.level == "different_sibling" and c.weight < 0 for c in given)
    assert any("brothers or sisters" in c.message for c in given)


def test_settings_validate_and_decide() -> None:
    with pytest.raises(ValueError, match="possible_threshold"):
        MatchSettings(match_threshold=0.3, possible_threshold=0.5)
    assert DEFAULT_SETTINGS.decide(0.99) == "match"
    assert DEFAULT_SETTINGS.decide(0.0) == "non_match"


def test_no_candidates_gives_no_pairs(families_records: dict[str, dict[str, str]]) -> None:
    assert score_candidates(families_records["MIS-2025-000001"], []) == []
