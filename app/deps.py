"""Request-scoped dependencies shared by the JSON API and the web interface: the unit of
work, the key ring, the settings, the match model and the authenticated API caller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from app.core.crypto import FieldCrypto
from app.core.db import session_scope
from app.core.errors import Forbidden, Unauthorized
from app.core.security import Principal
from app.core.settings import Settings
from app.core.strict import MAX_ROW_ID
from app.dedup.model_store import active_model
from app.users import service as users
from app.weapons import custody
from exports.errors import StatisticsPending
from exports.service import Statistics, StatisticsCache
from matching import MatchModel

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request, committed when the route returns and before the response
    is sent (a failing commit is an error response, never a 2xx). A plain generator: FastAPI
    runs it, like the sync routes, in its threadpool, so nothing commits on the event loop."""
    with session_scope(request.app.state.engine) as session:
        yield session


async def get_crypto(request: Request) -> FieldCrypto:
    """The process's key ring (read from the app's state on the event loop: a `def` would
    cost every request a trip through the threadpool for nothing)."""
    crypto: FieldCrypto = request.app.state.crypto
    return crypto


async def get_settings_dep(request: Request) -> Settings:
    """The settings the app was built with (on the event loop, as :func:`get_crypto`)."""
    settings: Settings = request.app.state.settings
    return settings


# scope="function": the session closes (commits) when the route returns, before the response
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
CryptoDep = Annotated[FieldCrypto, Depends(get_crypto)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_match_model(request: Request, session: SessionDep) -> MatchModel | None:
    """The match model in use: the version an admin activated, else the configured file,
    else (None) the shipped model."""
    return active_model(session, request.app.state.match_model)


ModelDep = Annotated[MatchModel | None, Depends(get_match_model)]
TokenDep = Annotated[str | None, Depends(oauth2_scheme)]
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
"""An integer key in a path (user, armed group): out of range is a 422, never an overflow."""


def current_principal(session: SessionDep, token: TokenDep) -> Principal:
    """Resolve the bearer token to the caller, in the request's transaction."""
    if not token:
        raise Unauthorized("not authenticated")
    return users.principal_for_token(session=session, token=token)


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


def weapons_reader(actor: CurrentUser) -> Principal:
    """A caller whose role sees weapons custody (refused before the body is validated)."""
    custody.require_reader(actor)
    return actor


WeaponsReader = Annotated[Principal, Depends(weapons_reader)]


def weapons_officer(actor: CurrentUser) -> Principal:
    """A weapons officer or administrator (refused before the body is validated)."""
    custody.require_officer(actor)
    return actor


WeaponsOfficer = Annotated[Principal, Depends(weapons_officer)]


def maybe_statistics(request: Request, session: SessionDep, settings: SettingsDep
                     ) -> Statistics | None:
    """The committee's statistics, suppressed and audited, or None while they are computed
    (in the background: never in a request)."""
    cache: StatisticsCache = request.app.state.stats_cache
    return cache.get(session=session, max_age=settings.stats_refresh_seconds)


MaybeStatsDep = Annotated[Statistics | None, Depends(maybe_statistics)]


def get_statistics(stats: MaybeStatsDep) -> Statistics:
    """The statistics; 503 while they are being computed."""
    if stats is None:
        raise StatisticsPending()
    return stats


StatsDep = Annotated[Statistics, Depends(get_statistics)]
