"""User accounts (admins only)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlmodel import Session

from app.core.strict import Flag, Strict
from app.deps import AdminUser, RowId, SessionDep
from app.users import service as users
from app.users.passwords import MAX_LENGTH, MIN_LENGTH

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
    locked: bool = Field(default=False, description="locked after too many failed log-ins "
                         "(`POST /users/{id}/unlock` lifts it)")


class UserIn(Strict):
    """A new account."""
    username: str = Field(examples=["officer.trp1"])
    password: str = Field(min_length=MIN_LENGTH, max_length=MAX_LENGTH)
    role: str = Field(examples=["registration_officer"])
    sites: list[str] = Field(default_factory=list, examples=[["TRP"]])
    full_name: str = ""
    language: str = "ar"
    authorisations: list[str] = Field(default_factory=list, examples=[["children"]])


class UserPatch(Strict):
    """Changes to an account."""
    role: str | None = None
    sites: list[str] | None = None
    active: Flag | None = None
    language: str | None = None
    password: str | None = Field(default=None, min_length=MIN_LENGTH, max_length=MAX_LENGTH)
    authorisations: list[str] | None = Field(
        default=None, description="replaces the user's authorisations (children, gender)")


def _out(session: Session, user: users.User, sites: list[str]) -> UserOut:
    assert user.id is not None
    return UserOut(id=user.id, username=user.username, full_name=user.full_name, role=user.role,
                   sites="*" if user.all_sites else sites, language=user.language,
                   active=user.active, locked=users.is_locked(session=session, user=user),
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


@router.patch("/{user_id}", response_model=UserOut, responses={
    404: {"description": "no such user"},
    409: {"description": "the last active administrator cannot be demoted or disabled"},
    422: {"description": "invalid input; `errors` names each field"}}, summary="Change a user")
def update_user(user_id: RowId, body: UserPatch, session: SessionDep, actor: AdminUser) -> UserOut:
    """Change role (give the sites of the new role again: the old scope never carries over),
    sites, language, password (ends every session of the user), authorisations (children,
    gender) or deactivate (ends every session too)."""
    user = users.update_user(session=session, actor=actor, user_id=user_id,
                             **body.model_dump(exclude_none=True))
    return _out(session, user, users.user_sites(session=session, user=user))


@router.post("/{user_id}/unlock", response_model=UserOut,
             responses={404: {"description": "no such user"}},
             summary="Unlock a user after failed log-ins")
def unlock_user(user_id: RowId, session: SessionDep, actor: AdminUser) -> UserOut:
    """Lift the lock (and any backoff) that failed log-ins put on an account."""
    user = users.unlock_user(session=session, actor=actor, user_id=user_id)
    return _out(session, user, users.user_sites(session=session, user=user))
