"""User accounts (admins only)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.core.strict import Flag, Strict
from app.deps import AdminUser, SessionDep
from app.users import service as users

router = APIRouter(prefix="/users", tags=["users"])


class UserOut(BaseModel):
    """An account (never its password hash)."""

    id: int
    username: str
    full_name: str
    role: str
    sites: list[str] | str
    language: str
    active: bool


class UserIn(Strict):
    """A new account."""
    username: str = Field(examples=["officer.trp1"])
    password: str = Field(min_length=10)
    role: str = Field(examples=["registration_officer"])
    sites: list[str] = Field(default_factory=list, examples=[["TRP"]])
    full_name: str = ""
    language: str = "ar"


class UserPatch(Strict):
    """Changes to an account."""
    role: str | None = None
    sites: list[str] | None = None
    active: Flag | None = None
    language: str | None = None
    password: str | None = Field(default=None, min_length=10)


def _out(user: users.User, sites: list[str]) -> UserOut:
    assert user.id is not None
    return UserOut(id=user.id, username=user.username, full_name=user.full_name, role=user.role,
                   sites="*" if user.all_sites else sites, language=user.language,
                   active=user.active)


@router.get("", response_model=list[UserOut], summary="List users")
def list_users(session: SessionDep, actor: AdminUser) -> list[UserOut]:
    """All accounts with their roles and sites."""
    return [_out(u, s) for u, s in users.list_users(session=session)]


@router.post("", status_code=201, response_model=UserOut, summary="Create a user")
def create_user(body: UserIn, session: SessionDep, actor: AdminUser) -> UserOut:
    """Create an account."""
    user = users.create_user(session=session, actor=actor, **body.model_dump())
    return _out(user, users.user_sites(session=session, user=user))


@router.patch("/{user_id}", response_model=UserOut, summary="Change a user")
def update_user(user_id: int, body: UserPatch, session: SessionDep, actor: AdminUser) -> UserOut:
    """Change role, sites, language, password or deactivate (revoking its tokens)."""
    user = users.update_user(session=session, actor=actor, user_id=user_id,
                             **body.model_dump(exclude_none=True))
    return _out(user, users.user_sites(session=session, user=user))
