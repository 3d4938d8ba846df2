"""Domain errors on web pages: a page or an htmx fragment in the user's language."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from app.web import deps
from app.web.rendering import finish, render


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
    return render(request, template, {"status": status_code, "detail": detail},
                  status_code=status_code, headers=headers)
