"""Properties of field encryption over any text (hypothesis): every value comes back as it
went in, and a ciphertext moved to another table, column or row never decrypts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.crypto import CryptoError, FieldCrypto

CRYPTO = FieldCrypto(master=b"p" * 32)
# The binding is `table|column|row id|key id`: its parts (code constants and UUIDs) never
# hold "|", which would make two bindings read alike.
names = st.text(st.characters(codec="utf-8", exclude_characters="|"), min_size=1,
                max_size=30)
places = st.tuples(names, names, names)


@settings(max_examples=300, deadline=None)
@given(value=st.text(st.characters(codec="utf-8"), min_size=1, max_size=400), place=places)
def test_round_trip(value: str, place: tuple[str, str, str]) -> None:
    table, column, row_id = place
    blob = CRYPTO.encrypt(value, table=table, column=column, row_id=row_id)
    assert CRYPTO.decrypt(blob, table=table, column=column, row_id=row_id) == value


@settings(max_examples=300, deadline=None)
@given(value=st.text(st.characters(codec="utf-8"), min_size=1, max_size=100), place=places,
       other=places)
def test_other_associated_data_always_fails(value: str, place: tuple[str, str, str],
                                            other: tuple[str, str, str]) -> None:
    table, column, row_id = place
    blob = CRYPTO.encrypt(value, table=table, column=column, row_id=row_id)
    if "|".join(other) == "|".join(place):
        return  # the same binding
    assert blob is not None
    with pytest.raises(CryptoError):
        CRYPTO.decrypt(blob, table=other[0], column=other[1], row_id=other[2])


@settings(max_examples=200, deadline=None)
@given(value=st.text(min_size=1, max_size=50), flip=st.integers(min_value=0))
def test_any_changed_byte_fails(value: str, flip: int) -> None:
    blob = CRYPTO.encrypt(value, table="t", column="c", row_id="1")
    assert blob is not None
    position = flip % len(blob)
    damaged = blob[:position] + bytes([blob[position] ^ 0x01]) + blob[position + 1:]
    with pytest.raises(CryptoError):
        CRYPTO.decrypt(damaged, table="t", column="c", row_id="1")


def test_empty_text_is_stored_as_nothing() -> None:
    assert CRYPTO.encrypt("", table="t", column="c", row_id="1") is None
