"""The password policy: long enough, not the account name, not common or easily guessed.

Guessability is judged by zxcvbn (frequency lists of leaked passwords, names and words,
keyboard patterns, repeats and sequences), with the account name and the register's own words
as inputs an attacker would try first. No composition rules (OWASP ASVS 5.0 §6.2).
"""

from __future__ import annotations

from zxcvbn import zxcvbn

from app.core.errors import FieldError

MIN_LENGTH = 10
MAX_LENGTH = 256
MIN_SCORE = 3
"""zxcvbn's score (0-4) a password must reach: 3 is "safely unguessable" (about 10^8
guesses), enough behind argon2id and the log-in throttle."""
CONTEXT_WORDS = ("ddr", "registry", "register", "libya", "admin", "password")

TOO_SHORT = f"must be at least {MIN_LENGTH} characters"
TOO_LONG = f"must be at most {MAX_LENGTH} characters"
HAS_USERNAME = "must not contain the username"
TOO_EASY = "too common or too easy to guess: use a longer phrase of unrelated words"


def password_problem(password: str, *, username: str) -> str | None:
    """Why a password may not be used for an account, or None when it may."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    name = username.strip().casefold()
    if name and name in password.casefold():
        return HAS_USERNAME
    # zxcvbn judges at most its first 72 characters (its cost grows fast with length).
    if zxcvbn(password[:72], user_inputs=[name, *CONTEXT_WORDS])["score"] < MIN_SCORE:
        return TOO_EASY
    return None


def check_password(password: str, *, username: str, field: str = "password"
                   ) -> list[FieldError]:
    """The password policy's verdict as field errors (empty when the password may be used)."""
    problem = password_problem(password, username=username)
    return [FieldError(field, problem)] if problem else []
