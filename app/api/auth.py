"""Log-in: bearer tokens from username and password (OAuth2 password form)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

from app.core.strict import Strict
from app.deps import CurrentUser, SessionDep, SettingsDep, TokenDep
from app.users import service as users
from app.users.passwords import MAX_LENGTH, MIN_LENGTH

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


class PasswordChangeIn(Strict):
    """A user's own password change."""

    current_password: str = Field(max_length=MAX_LENGTH)
    new_password: str = Field(min_length=MIN_LENGTH, max_length=MAX_LENGTH)


LOGIN_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "incorrect username or password"},
    429: {"description": "too many failed log-ins: wait (Retry-After) or, when the account "
                         "is locked, ask an administrator to unlock it"},
}


@router.post("/token", response_model=TokenOut, responses=LOGIN_ERRORS,
             summary="Log in and get a bearer token")
def login(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    settings: SettingsDep,
) -> TokenOut:
    """Exchange a username and password for an expiring bearer token. Failed log-ins are
    throttled per account (backoff, then a lock an administrator lifts) and per address, and
    audited in a transaction of their own."""
    _user, token = users.login(engine=request.app.state.engine, username=form.username,
                               password=form.password,
                               address=request.client.host if request.client else None,
                               ttl_minutes=settings.token_ttl_minutes, kind="api")
    return TokenOut(access_token=token, expires_in=settings.token_ttl_minutes * 60)


@router.post("/password", status_code=204, responses={
    401: {"description": "not authenticated"},
    422: {"description": "current password incorrect, or the new one refused by the policy"}},
    summary="Change your own password")
def change_password(body: PasswordChangeIn, session: SessionDep, actor: CurrentUser) -> None:
    """Change the caller's password; every token and web session of the caller ends (log in
    again with the new password)."""
    users.change_own_password(session=session, actor=actor,
                              current_password=body.current_password,
                              new_password=body.new_password)


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
