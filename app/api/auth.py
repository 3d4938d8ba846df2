"""Log-in: bearer tokens from username and password (OAuth2 password form)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from app.deps import CurrentUser, SessionDep, SettingsDep, TokenDep
from app.users import service as users

router = APIRouter(prefix="/auth", tags=["auth"])


class TokenOut(BaseModel):
    """A new bearer token."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int


class MeOut(BaseModel):
    """Who the caller is."""

    id: int | None
    username: str
    role: str
    sites: list[str] | str
    language: str


@router.post("/token", response_model=TokenOut, summary="Log in and get a bearer token")
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    settings: SettingsDep,
) -> TokenOut:
    """Exchange a username and password for an expiring bearer token (a refusal is audited
    in its own transaction)."""
    _user, token = users.login(engine=request.app.state.engine, username=form.username,
                               password=form.password,
                               ttl_minutes=settings.token_ttl_minutes, kind="api")
    return TokenOut(access_token=token, expires_in=settings.token_ttl_minutes * 60)


@router.post("/revoke", status_code=204, summary="Log out: revoke the current token")
def revoke(session: SessionDep, actor: CurrentUser, token: TokenDep) -> None:
    """Revoke the bearer token used for this request."""
    assert token is not None
    users.revoke_token(session=session, token=token)


@router.get("/me", response_model=MeOut, summary="The current user")
def me(actor: CurrentUser) -> MeOut:
    """Return the caller's identity, role and sites."""
    return MeOut(id=actor.id, username=actor.username, role=actor.role,
                 sites="*" if actor.all_sites else sorted(actor.sites), language=actor.language)
