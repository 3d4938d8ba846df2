"""Properties of the register's field rules over any text (hypothesis): they never raise
(a refusal is a field error), and what they accept comes out the same when given again."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.errors import FieldError
from app.core.strict import hidden_character_at
from app.registry import validation as v
from app.registry.enums import DobPrecision

TEXT = st.text(st.one_of(st.characters(codec="utf-8"),
                         st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
                         st.sampled_from(" -+()0123456789٠١٢٣٤٥٦٧٨٩")), max_size=40)
RULES: list[tuple[str, Callable[[str, list[FieldError]], str | None]]] = [
    ("phone", v.normalise_phone),
    ("national_id", v.normalise_national_id),
    ("passport", v.normalise_passport),
    ("nationality", v.normalise_nationality),
]


@pytest.mark.parametrize(("label", "rule"), RULES, ids=[r[0] for r in RULES])
@settings(max_examples=300, deadline=None)
@given(text=TEXT)
def test_rules_never_raise_and_accept_their_own_output(
        label: str, rule: Callable[[str, list[FieldError]], str | None], text: str) -> None:
    errors: list[FieldError] = []
    value = rule(text, errors)
    if value is None:
        return
    assert errors == []
    again: list[FieldError] = []
    assert rule(value, again) == value
    assert again == []


@settings(max_examples=300, deadline=None)
@given(text=TEXT, precision=st.sampled_from([None, *DobPrecision]))
def test_names_dates_and_characters_never_raise(text: str,
                                                precision: DobPrecision | None) -> None:
    cleaned = v.clean_name(text)
    assert v.clean_name(cleaned) == cleaned
    v.parse_birth_date(text, precision, [])
    position = hidden_character_at(text)
    assert position is None or 0 <= position < len(text)
