"""The password policy refuses short, common, guessable passwords and the username."""

from __future__ import annotations

import pytest

from app.users.passwords import (
    HAS_USERNAME,
    TOO_EASY,
    TOO_LONG,
    TOO_SHORT,
    password_problem,
)

REFUSED = [
    ("ten zeros", "0000000000", TOO_EASY),
    ("digits in a row", "1234567890", TOO_EASY),
    ("common password", "password123", TOO_EASY),
    ("keyboard row", "qwertyuiop", TOO_EASY),
    ("common word with digits", "letmein12345", TOO_EASY),
    ("the username", "officer.trp1", HAS_USERNAME),
    ("the username in other case", "OFFICER.TRP1-2026", HAS_USERNAME),
    ("the register's name", "registry2026", TOO_EASY),
    ("a long repeat", "0" * 100, TOO_EASY),
    ("short", "Zx9#kq", TOO_SHORT),
    ("very long", "x" * 257, TOO_LONG),
]
ACCEPTED = ["correct horse battery", "Zawiya-sunrise-41", "a long password",
            "غروب الشمس في زوارة ٤١"]


@pytest.mark.parametrize(("label", "password", "problem"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused(label: str, password: str, problem: str) -> None:
    assert password_problem(password, username="officer.trp1") == problem


@pytest.mark.parametrize("password", ACCEPTED)
def test_accepted(password: str) -> None:
    assert password_problem(password, username="officer.trp1") is None
