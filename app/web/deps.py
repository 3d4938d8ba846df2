"""Web sessions, CSRF protection and the signed-in officer, as FastAPI dependencies."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData
from starlette.requests import ClientDisconnect

from app.core.errors import DomainError, Forbidden, Unauthorized
from app.core.roles import AUDIT_READERS, PII_READERS, REGISTRARS, REVIEWERS, Role
from app.core.security import Principal
from app.core.settings import Settings
from app.deps import SessionDep, SettingsDep
from app.users import service as users
from app.weapons import custody
from app.web.i18n import LANGUAGES, pick_language

SESSION_COOKIE = "ddr_session"
CSRF_COOKIE = "ddr_csrf"
LANGUAGE_COOKIE = "ddr_lang"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginRequired(Unauthorized):
    """No valid web session: the web error handler sends the browser to the login page."""


class CsrfRejected(Forbidden):
    """A state-changing request without a valid CSRF token, or from another site."""


def is_htmx(request: Request) -> bool:
    """Whether the request is an htmx swap (answered with a fragment, not a page)."""
    return request.headers.get("hx-request") == "true" and \
        request.headers.get("hx-boosted") != "true"


def is_https(request: Request) -> bool:
    """Whether the browser talks to us over HTTPS (cookies are then marked Secure)."""
    return request.url.scheme == "https"


def csrf_seed(request: Request) -> str:
    """The browser's CSRF cookie value, creating one for this response if it has none."""
    seed = getattr(request.state, "csrf_seed", None) or request.cookies.get(CSRF_COOKIE)
    if not seed:
        seed = secrets.token_urlsafe(24)
        request.state.new_csrf_seed = seed
    request.state.csrf_seed = seed
    return seed


def renew_csrf_seed(request: Request) -> str:
    """Start a new CSRF seed (at log-in and log-out, against session fixation)."""
    seed = secrets.token_urlsafe(24)
    request.state.csrf_seed = seed
    request.state.new_csrf_seed = seed
    return seed


def csrf_token_for(seed: str, settings: Settings) -> str:
    """The CSRF token a page embeds: an HMAC of the cookie seed with the server secret."""
    key = settings.secret_key.get_secret_value().encode()
    return hmac.new(key, b"csrf|" + seed.encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The CSRF token for the page being rendered."""
    settings: Settings = request.app.state.settings
    return csrf_token_for(csrf_seed(request), settings)


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":
        host = request.headers.get("host", "")
        return origin in (f"http://{host}", f"https://{host}")
    # No Origin, or "null" (sent under strict referrer policies and by sandboxed frames):
    # Fetch metadata decides; a null origin without it is refused.
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is None:
        return origin is None
    return fetch_site in ("same-origin", "none")


async def form_data(request: Request) -> FormData:
    """The request's form fields (parsed once; later reads hit Starlette's cache)."""
    try:
        return await request.form()
    except ClientDisconnect as exc:  # htmx cancelled a superseded request: nothing to do
        raise DomainError("the browser cancelled the request") from exc


FormDep = Annotated[FormData, Depends(form_data)]


async def csrf_protect(request: Request, settings: SettingsDep) -> None:
    """Refuse a state-changing request from another site or without the page's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    if not _same_origin(request):
        raise CsrfRejected("request refused: it came from another site")
    seed = request.cookies.get(CSRF_COOKIE)
    given = request.headers.get(CSRF_HEADER)
    if not given:
        value = (await form_data(request)).get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not seed or not given or not hmac.compare_digest(given, csrf_token_for(seed, settings)):
        raise CsrfRejected("request refused: the page expired; reload it and try again")


def optional_principal(
    request: Request, session: SessionDep, settings: SettingsDep
) -> Principal | None:
    """The signed-in user, or None; each use refreshes the idle timer."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        user = users.resolve_token(session=session, token=token, kind="web",
                                   idle_minutes=settings.session_idle_minutes)
    except Unauthorized:
        return None
    principal = users.principal_for(session=session, user=user)
    request.state.language = pick_language(principal.language)
    request.state.principal = principal  # error pages keep the navigation
    return principal


MaybeUser = Annotated[Principal | None, Depends(optional_principal)]


def web_principal(actor: MaybeUser) -> Principal:
    """The signed-in user; without a session the browser is sent to log in."""
    if actor is None:
        raise LoginRequired("please log in")
    return actor


WebUser = Annotated[Principal, Depends(web_principal)]


def pii_principal(actor: WebUser) -> Principal:
    """A signed-in user whose role may see identifying data (not committee or auditor)."""
    if actor.role not in PII_READERS:
        raise Forbidden("your role does not give access to identifying data")
    return actor


Officer = Annotated[Principal, Depends(pii_principal)]


def registrar_principal(actor: WebUser) -> Principal:
    """A signed-in user whose role may register participants (refused before any form)."""
    if actor.role not in REGISTRARS:
        raise Forbidden("your role may not register participants")
    return actor


Registrar = Annotated[Principal, Depends(registrar_principal)]


def reviewer_principal(actor: WebUser) -> Principal:
    """A signed-in user whose role reviews candidate duplicates."""
    if actor.role not in REVIEWERS:
        raise Forbidden("your role does not review duplicates")
    return actor


Reviewer = Annotated[Principal, Depends(reviewer_principal)]


def weapons_reader_principal(actor: WebUser) -> Principal:
    """A signed-in user whose role sees weapons custody (refused before any form is read)."""
    custody.require_reader(actor)
    return actor


WeaponsReader = Annotated[Principal, Depends(weapons_reader_principal)]


def weapons_officer_principal(actor: WebUser) -> Principal:
    """A signed-in weapons officer or administrator (refused before any form is read)."""
    custody.require_officer(actor)
    return actor


WeaponsOfficer = Annotated[Principal, Depends(weapons_officer_principal)]


def admin_principal(actor: WebUser) -> Principal:
    """A signed-in administrator."""
    if actor.role != Role.admin:
        raise Forbidden("only an administrator may do this")
    return actor


WebAdmin = Annotated[Principal, Depends(admin_principal)]


def auditor_principal(actor: WebUser) -> Principal:
    """A signed-in auditor or administrator (the audit trail's readers)."""
    if actor.role not in AUDIT_READERS:
        raise Forbidden("only auditors and administrators read the audit trail")
    return actor


Auditor = Annotated[Principal, Depends(auditor_principal)]


def request_language(request: Request) -> str:
    """The language of this response: the user's, else the cookie's, else the browser's."""
    chosen = getattr(request.state, "language", None)
    if chosen in LANGUAGES:
        return str(chosen)
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in LANGUAGES:
        return str(cookie)
    accept = request.headers.get("accept-language", "")
    return "en" if accept.lower().startswith("en") else "ar"
