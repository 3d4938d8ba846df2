"""Strict request bodies: unknown fields, hidden characters and loose booleans are refused.

Every request body of the API (and every form read into one) derives from :class:`Strict`.
Text may not carry control characters, NUL or Unicode format characters such as the
bidirectional overrides (U+202E turns `gnp.exe` into a name that reads differently from how
it sorts and matches). Zero-width joiners and non-joiners are part of correct Arabic spelling
in some names, so they are allowed between two Arabic letters only. Tab and line breaks stay
allowed for free text.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import Strict as StrictType
from pydantic_core import PydanticCustomError

HIDDEN_CHARACTERS = "text_characters"
"""The pydantic error type of a text with a control, format or direction character."""
HIDDEN_MESSAGE = "contains control, invisible or direction-override characters"

_ALLOWED_CONTROLS = frozenset("\t\n\r")
_JOINERS = frozenset("\u200c\u200d")  # zero-width non-joiner, zero-width joiner
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})

Flag = Annotated[bool, StrictType()]
"""A boolean that only JSON `true` or `false` gives (never `"yes"`, `1` or `"on"`)."""

MAX_ROW_ID = 2**31 - 1
"""The largest integer key a path may name (larger ones overflow the databases' integers)."""
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2100, 12, 31)
"""The range of days a query may name (beyond it, date arithmetic overflows)."""

MAX_PAGE = 10_000
"""The furthest page any list goes to: deeper pages are refused (narrow the filters)."""
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE)]


def _arabic_letter(char: str) -> bool:
    return unicodedata.category(char).startswith("L") and "ARABIC" in unicodedata.name(char, "")


def hidden_character_at(text: str) -> int | None:
    """The position of the first character a text field may not hold, or None."""
    for i, char in enumerate(text):
        if char in _ALLOWED_CONTROLS:
            continue
        if char in _JOINERS:
            if 0 < i < len(text) - 1 and _arabic_letter(text[i - 1]) and _arabic_letter(
                    text[i + 1]):
                continue
            return i
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            return i
    return None


def _check(value: Any) -> None:
    if isinstance(value, str):
        if hidden_character_at(value) is not None:
            raise PydanticCustomError(HIDDEN_CHARACTERS, HIDDEN_MESSAGE)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key)
            _check(item)


class Strict(BaseModel):
    """A request body: unknown fields and text with hidden characters are refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_hidden_characters(cls, value: Any) -> Any:
        """Refuse control, format and direction characters in any text, however nested."""
        _check(value)
        return value
