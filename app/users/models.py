"""User accounts, their sites and their bearer tokens."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.core.models import utcnow


class User(SQLModel, table=True):
    """A staff member: officer, case manager, committee member, auditor or administrator."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, unique=True, index=True)
    full_name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=40)
    language: str = Field(default="ar", max_length=5)
    all_sites: bool = Field(default=False)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)


class UserSite(SQLModel, table=True):
    """A site a user may act for."""

    __tablename__ = "user_site"

    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    site_code: str = Field(foreign_key="site.code", primary_key=True, max_length=8)


class UserAuthorisation(SQLModel, table=True):
    """Something a user is explicitly authorised for beyond their role (e.g. children's
    cases); see `app.core.roles.Authorisation`."""

    __tablename__ = "user_authorisation"

    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    authorisation: str = Field(primary_key=True, max_length=24)
    granted_at: datetime = Field(default_factory=utcnow)
    granted_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class ApiToken(SQLModel, table=True):
    """A bearer token or web session; only the SHA-256 of the secret is stored."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    digest: str = Field(max_length=64, unique=True, index=True)
    kind: str = Field(default="api", max_length=8)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class LoginThrottle(SQLModel, table=True):
    """Failed log-ins counted for one account name or one client address.

    `key` is `account:` and the SHA-256 of the name as typed (case-folded: a password typed
    into the name field is never stored, and names that do not exist are counted alike, so
    the throttle does not tell which accounts exist) or `address:` and the client's address.
    """

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=80)
    failures: int = Field(default=0)
    window_start: datetime = Field(default_factory=utcnow)
    last_failure_at: datetime = Field(default_factory=utcnow)
    locked_at: datetime | None = None
