"""User accounts (admins only)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

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
    authorisations: list[str] = Field(
        default_factory=list, description="explicit authorisations: children, gender")


class UserIn(BaseModel):
    """A new account."""

    model_config = ConfigDict(extra="forbid")
    username: str = Field(examples=["officer.trp1"])
    password: str = Field(min_length=10)
    role: str = Field(examples=["registration_officer"])
    sites: list[str] = Field(default_factory=list, examples=[["TRP"]])
    full_name: str = ""
    language: str = "ar"
    authorisations: list[str] = Field(default_factory=list, examples=[["children"]])


class UserPatch(BaseModel):
    """Changes to an account."""

    model_config = ConfigDict(extra="forbid")
    role: str | None = None
    sites: list[str] | None = None
    active: bool | None = None
    language: str | None = None
    password: str | None = Field(default=None, min_length=10)
    authorisations: list[str] | None = Field(
        default=None, description="replaces the user's authorisations (children, gender)")


def _out(session: Session, user: users.User, sites: list[str]) -> UserOut:
    assert user.id is not None
    return UserOut(id=user.id, username=user.username, full_name=user.full_name, role=user.role,
                   sites="*" if user.all_sites else sites, language=user.language,
                   active=user.active,
                   authorisations=users.user_authorisations(session=session, user_id=user.id))


@router.get("", response_model=list[UserOut], summary="List users")
def list_users(session: SessionDep, actor: AdminUser) -> list[UserOut]:
    """All accounts with their roles and sites."""
    return [_out(session, u, s) for u, s in users.list_users(session=session)]


@router.post("", status_code=201, response_model=UserOut, summary="Create a user")
def create_user(body: UserIn, session: SessionDep, actor: AdminUser) -> UserOut:
    """Create an account."""
    user = users.create_user(session=session, actor=actor, **body.model_dump())
    return _out(session, user, users.user_sites(session=session, user=user))


@router.patch("/{user_id}", response_model=UserOut, summary="Change a user")
def update_user(user_id: int, body: UserPatch, session: SessionDep, actor: AdminUser) -> UserOut:
    """Change role, sites, language, password, authorisations (children, gender) or
    deactivate (revoking its tokens)."""
    user = users.update_user(session=session, actor=actor, user_id=user_id,
                             **body.model_dump(exclude_none=True))
    return _out(session, user, users.user_sites(session=session, user=user))
