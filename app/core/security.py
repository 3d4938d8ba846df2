"""Password hashing (argon2id) and opaque bearer tokens (only their hash is stored)."""

from __future__ import annotations

import hashlib
import os
import secrets
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

HASHING_ENV = "DDR_PASSWORD_HASHING"
"""`cheapest` selects argon2's cheapest parameters, for test suites only (the settings refuse
it outside development and test); anything else, the library's maintained defaults."""
CHEAP_HASHING = os.environ.get(HASHING_ENV) == "cheapest"
_hasher = (PasswordHasher.from_parameters(profiles.CHEAPEST) if CHEAP_HASHING
           else PasswordHasher())  # argon2id


@cache
def _dummy_hash() -> str:
    """A real hash to verify against when the user does not exist, so timing does not reveal
    it. Made once, when first needed (not by every `ddr` command that imports this module);
    the service makes it at start-up, so that no first login pays for it."""
    return _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against its hash in constant-ish time, even for unknown users."""
    try:
        return (_hasher.verify(password_hash or _dummy_hash(), password)
                and password_hash is not None)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash uses outdated parameters."""
    return _hasher.check_needs_rehash(password_hash)


def new_token() -> str:
    """Return a new random bearer token."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Return the stored form of a token (SHA-256; tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Principal:
    """The authenticated caller as services see it: who, which role, which sites."""

    __slots__ = ("all_sites", "authorisations", "id", "language", "role", "sites", "username")

    def __init__(
        self,
        *,
        id: int | None,
        username: str,
        role: str,
        sites: frozenset[str] = frozenset(),
        all_sites: bool = False,
        language: str = "ar",
        authorisations: frozenset[str] = frozenset(),
    ) -> None:
        self.id = id
        self.username = username
        self.role = role
        self.sites = sites
        self.all_sites = all_sites
        self.language = language
        self.authorisations = authorisations

    def can_act_for(self, site_code: str) -> bool:
        """Whether this caller may act for a site."""
        return self.all_sites or site_code in self.sites

    def __repr__(self) -> str:
        return f"Principal({self.username!r}, {self.role!r})"


SYSTEM = Principal(id=None, username="system", role="admin", all_sites=True)
