"""Properties of the normalisers over any text (hypothesis): they never raise, and
normalising twice gives what normalising once gave."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from matching import normalise

# any text, with Arabic, Persian digits, Cyrillic and name punctuation well represented
ARABIC = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
CYRILLIC = st.characters(min_codepoint=0x0400, max_codepoint=0x04FF)
TEXT = st.text(st.one_of(st.characters(codec="utf-8"), ARABIC, CYRILLIC,
                         st.sampled_from(" -'.+0123456789")), max_size=60)
IDEMPOTENT: list[tuple[str, Callable[[str], str]]] = [
    ("name", normalise.normalise_name),
    ("arabic", normalise.normalise_arabic),
    ("latin", normalise.normalise_latin),
    ("phone", normalise.normalise_phone),
    ("national_id", normalise.normalise_national_id),
    ("passport", normalise.normalise_passport),
    ("digits", normalise.fold_digits),
]


@pytest.mark.parametrize(("label", "function"), IDEMPOTENT, ids=[i[0] for i in IDEMPOTENT])
@settings(max_examples=300, deadline=None)
@given(text=TEXT)
@example(text="عبد الله بن محمد")
@example(text="Abd al-Rahman el-Gaddafi")
@example(text="00218 91-234 5678")
@example(text="00")  # once gave "+", then ""
def test_idempotent_and_never_raises(label: str, function: Callable[[str], str],
                                     text: str) -> None:
    once = function(text)
    assert isinstance(once, str)
    assert function(once) == once


@settings(max_examples=300, deadline=None)
@given(text=TEXT)
def test_dates_and_scripts_never_raise(text: str) -> None:
    year, month, day = normalise.normalise_date(text)
    assert min(year, month, day) >= 0
    assert normalise.detect_script(text) in ("arabic", "latin", "cyrillic", "other", "")
