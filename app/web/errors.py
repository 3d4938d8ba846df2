"""Domain errors on web pages: a page or an htmx fragment in the user's language, with the
navigation and the log-out link of the signed-in user."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from app.core.db import session_scope
from app.core.errors import Unauthorized
from app.core.security import Principal
from app.users import service as users
from app.web import deps
from app.web.i18n import pick_language
from app.web.rendering import finish, render


def _signed_in(request: Request) -> Principal | None:
    """The user of the request's web session: known already when the route resolved it, else
    read from the session cookie (an error raised before the route, such as an unknown page)."""
    known: Principal | None = getattr(request.state, "principal", None)
    token = request.cookies.get(deps.SESSION_COOKIE)
    if known is not None or not token:
        return known
    with session_scope(request.app.state.engine) as session:
        try:
            user = users.resolve_token(session=session, token=token, kind="web",
                                       idle_minutes=request.app.state.settings
                                       .session_idle_minutes)
        except Unauthorized:
            return None
        principal = users.principal_for(session=session, user=user)
    request.state.language = pick_language(principal.language)
    return principal


def render_error(request: Request, status_code: int, detail: str) -> Response:
    """Answer an error: log-in redirect for 401, otherwise a page or a fragment saying why."""
    if status_code == 401:
        url = "/login?expired=1" if request.cookies.get(deps.SESSION_COOKIE) else "/login"
        if deps.is_htmx(request):
            return finish(request, Response(status_code=204, headers={"HX-Redirect": url}))
        return finish(request, RedirectResponse(url, status_code=303))
    template = "_error.html" if deps.is_htmx(request) else "error.html"
    # htmx swaps only 2xx answers by default; the error fragment must still reach the page.
    headers = {"HX-Reswap": "innerHTML"} if deps.is_htmx(request) else None
    actor = None if deps.is_htmx(request) else _signed_in(request)
    return render(request, template, {"status": status_code, "detail": detail},
                  actor=actor, status_code=status_code, headers=headers)
