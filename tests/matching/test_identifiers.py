"""The shared-identifier policy: a whole national or passport number agreeing, with a name."""

from __future__ import annotations

import pytest

from matching import MatchSettings, score_candidates

BASE = {
    "record_id": "MIS-2025-000101", "sex": "M", "date_of_birth": "1988-03-02",
    "given_name": "Mohamed", "father_name": "Abdelsalam", "grandfather_name": "Ali",
    "family_name": "Elwarfalli", "nationality": "LBY", "national_id": "119880123456",
}


def _decision(other: dict[str, str], **settings: bool) -> str:
    [pair] = score_candidates(BASE, [{**BASE, "record_id": "SEB-2025-000101", **other}],
                              settings=MatchSettings(**settings))
    return pair.decision


def test_same_number_and_given_name_outweigh_a_mistyped_birth_date() -> None:
    other = {"date_of_birth": "1961-11-20", "father_name": "", "grandfather_name": "",
             "family_name": "Zlitni"}
    assert _decision(other) == "match"
    assert _decision(other, trust_identifiers=False) != "match"


def test_same_passport_with_given_and_family_swapped() -> None:
    record = {"national_id": "", "passport_no": "P0720545", "given_name": "Elwarfalli",
              "family_name": "Mohamed", "father_name": "", "grandfather_name": "",
              "date_of_birth": ""}
    [pair] = score_candidates({**BASE, **record}, [{**BASE, "record_id": "x", **record,
                                                    "given_name": "Warfali"}])
    assert pair.decision == "match"


@pytest.mark.parametrize(
    "other",
    [
        # every name different: one person under two names, or a number on the wrong person
        {"given_name": "Khaled", "father_name": "Saleh", "grandfather_name": "Omar",
         "family_name": "Zlitni", "date_of_birth": "1975-01-09"},
        # a brother (same father, grandfather and family) carrying the same number
        {"given_name": "Ahmed", "date_of_birth": "1991-06-10"},
        # the same number on a woman's record
        {"given_name": "Mohamed", "sex": "F", "date_of_birth": "1961-11-20",
         "father_name": "", "family_name": "Zlitni"},
    ],
    ids=["different-names", "brother", "sex-differs"],
)
def test_shared_number_without_corroboration_goes_to_review(other: dict[str, str]) -> None:
    assert _decision(other) == "possible"


def test_a_placeholder_number_is_no_identifier() -> None:
    other = {"date_of_birth": "1961-11-20", "father_name": "", "grandfather_name": "",
             "family_name": "Zlitni"}
    [pair] = score_candidates({**BASE, "national_id": "000000000000"},
                              [{**BASE, "record_id": "x", **other,
                                "national_id": "000000000000"}])
    assert pair.decision != "match"
