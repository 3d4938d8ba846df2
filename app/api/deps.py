"""Request-scoped dependencies: the unit of work, the key ring and the authenticated caller."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.crypto import FieldCrypto
from app.core.db import read_scope, session_scope
from app.core.errors import Forbidden, Unauthorized
from app.core.group_commit import Batched, GroupCommit
from app.core.security import Principal
from app.core.settings import Settings
from app.dedup.model_store import active_model
from app.users import service as users
from matching import MatchModel

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request, committed as soon as the route returns, before the
    response is sent.

    The commit runs on the event loop, not in a worker thread: on SQLite the transaction
    holds the writer from its first statement to its commit, and a commit waiting for a free
    worker thread — while the workers wait for the writer — would stall every request."""
    with session_scope(request.app.state.engine) as session:
        yield session


async def get_crypto(request: Request) -> FieldCrypto:
    """The process's key ring."""
    crypto: FieldCrypto = request.app.state.crypto
    return crypto


async def get_settings_dep(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session, scope="function")]

_T = TypeVar("_T")


class UnitOfWork:
    """The request's transaction for a route that does heavy work (an `async def` route).

    :meth:`read` runs the work that needs no writer (checks, scoring) in a worker thread;
    :meth:`run` then runs the writing part and commits it as soon as it returns — on SQLite
    in the process's :class:`~app.core.group_commit.GroupCommit` (one thread writes the
    requests waiting together in one transaction), elsewhere in a worker thread of its own.
    The writer is held only while writing, never while validating, scoring, serialising the
    response or awaiting a worker thread.
    """

    def __init__(self, engine: Engine, group: GroupCommit | None = None) -> None:
        self.engine = engine
        self.group = group

    def pause(self) -> None:
        """For work run by :meth:`read`: let a group that holds the writer go first."""
        if self.group is not None:
            self.group.pause()

    async def read(self, work: Callable[[], _T]) -> _T:
        """Run `work()` (which opens read-only units of work of its own) in a worker thread."""
        return await run_in_threadpool(work)

    async def run(self, work: Callable[[Session], _T], batched: Batched | None = None) -> _T:
        """Run `work(session)` in one transaction (or savepoint of a group's transaction),
        committed on success, rolled back on any error (which is raised again). `batched`:
        the same write phase in a form a group may write together with others of its kind
        (see :class:`~app.core.group_commit.Batched`; used only where there are groups)."""
        if self.group is not None:
            return await self.group.run(work, batched)

        def unit() -> _T:
            with session_scope(self.engine) as session:
                return work(session)

        return await run_in_threadpool(unit)


async def get_unit_of_work(request: Request) -> UnitOfWork:
    """The request's unit of work, for routes that commit it in a worker thread."""
    return UnitOfWork(request.app.state.engine, request.app.state.group_commit)


UnitOfWorkDep = Annotated[UnitOfWork, Depends(get_unit_of_work)]


async def get_match_model(request: Request) -> MatchModel | None:
    """The match model in use: the version an admin activated, else the configured file,
    else (None) the shipped model (looked up in a read-only unit of work at most every few
    seconds; a cached answer otherwise, so no worker thread is needed)."""
    with read_scope(request.app.state.engine) as session:
        return active_model(session, request.app.state.match_model)


CryptoDep = Annotated[FieldCrypto, Depends(get_crypto)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ModelDep = Annotated[MatchModel | None, Depends(get_match_model)]
TokenDep = Annotated[str | None, Depends(oauth2_scheme)]


async def current_principal(request: Request, token: TokenDep) -> Principal:
    """Resolve the bearer token to the caller, in a read-only unit of work of its own (so
    that the request's transaction, and SQLite's writer, start only with the request's work).

    On the event loop, not in a worker thread: two indexed point reads that never wait for a
    writer cost less than the hop to a worker thread and back, which every API request paid."""
    if not token:
        raise Unauthorized("not authenticated")
    with read_scope(request.app.state.engine) as session:
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
