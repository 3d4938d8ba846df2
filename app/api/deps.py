"""Request-scoped dependencies: the unit of work, the key ring and the authenticated caller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from app.core.crypto import FieldCrypto
from app.core.db import read_scope, session_scope
from app.core.errors import Forbidden, Unauthorized
from app.core.security import Principal
from app.core.settings import Settings
from app.dedup.model_store import active_model
from app.users import service as users
from matching import MatchModel

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request, committed before the response is sent (on SQLite it
    holds the writer from its first statement to its commit)."""
    with session_scope(request.app.state.engine) as session:
        yield session


def get_crypto(request: Request) -> FieldCrypto:
    """The process's key ring."""
    crypto: FieldCrypto = request.app.state.crypto
    return crypto


def get_settings_dep(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_match_model(request: Request) -> MatchModel | None:
    """The match model in use: the version an admin activated, else the configured file,
    else (None) the shipped model (looked up in a read-only unit of work)."""
    with read_scope(request.app.state.engine) as session:
        return active_model(session, request.app.state.match_model)


CryptoDep = Annotated[FieldCrypto, Depends(get_crypto)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ModelDep = Annotated[MatchModel | None, Depends(get_match_model)]
TokenDep = Annotated[str | None, Depends(oauth2_scheme)]


def current_principal(request: Request, token: TokenDep) -> Principal:
    """Resolve the bearer token to the caller, in a read-only unit of work of its own (so
    that the request's transaction, and SQLite's writer, start only with the request's work)."""
    if not token:
        raise Unauthorized("not authenticated")
    with read_scope(request.app.state.engine) as session:
        user = users.resolve_token(session=session, token=token)
        return users.principal_for(session=session, user=user)


CurrentUser = Annotated[Principal, Depends(current_principal)]


class RequireRole:
    """Dependency that lets only the named roles through (403 otherwise)."""

    def __init__(self, *roles: str) -> None:
        self.roles = frozenset(roles)

    def __call__(self, actor: CurrentUser) -> Principal:
        if actor.role not in self.roles:
            raise Forbidden("your role may not do this")
        return actor


AdminUser = Annotated[Principal, Depends(RequireRole("admin"))]
AuditReader = Annotated[Principal, Depends(RequireRole("admin", "auditor"))]
