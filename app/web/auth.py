"""Log in, log out and switch language."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from app.core.errors import TooManyRequests, Unauthorized
from app.deps import SessionDep, SettingsDep
from app.users import service as users
from app.web import deps
from app.web.i18n import LANGUAGES
from app.web.rendering import finish, render, set_cookie

router = APIRouter(dependencies=[Depends(deps.csrf_protect)], include_in_schema=False)


def safe_next(value: object) -> str:
    """A same-site path to return to (never another host)."""
    text = value if isinstance(value, str) else ""
    return text if text.startswith("/") and not text.startswith(("//", "/\\")) else "/"


def redirect(request: Request, url: str) -> Response:
    """Send the browser on (an htmx request is told through HX-Redirect)."""
    if deps.is_htmx(request):
        return finish(request, Response(status_code=204, headers={"HX-Redirect": url}))
    return finish(request, RedirectResponse(url, status_code=303))


@router.get("/login")
def login_page(request: Request, actor: deps.MaybeUser) -> Response:
    """Show the log-in form (or go home when already signed in)."""
    if actor is not None:
        return redirect(request, "/")
    return render(request, "login.html", {"expired": request.query_params.get("expired"),
                                          "changed": request.query_params.get("changed")})


@router.post("/login")
def login(request: Request, settings: SettingsDep, form: deps.FormDep) -> Response:
    """Check the password and open a web session (a refusal is audited in its own
    transaction)."""
    username = str(form.get("username") or "").strip()
    try:
        user, token = users.login(engine=request.app.state.engine, username=username,
                                  password=str(form.get("password") or ""),
                                  address=request.client.host if request.client else None,
                                  ttl_minutes=settings.token_ttl_minutes, kind="web")
    except Unauthorized:
        return render(request, "login.html", {"failed": True, "username": username},
                      status_code=401)
    except TooManyRequests as exc:
        response = render(request, "login.html", {
            "throttled": "locked" if exc.retry_after is None else "wait",
            "username": username}, status_code=429)
        if exc.retry_after is not None:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    deps.renew_csrf_seed(request)
    request.state.language = user.language
    response = redirect(request, "/")
    set_cookie(request, response, deps.SESSION_COOKIE, token)
    set_cookie(request, response, deps.LANGUAGE_COOKIE, user.language, max_age=365 * 86400)
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> Response:
    """Close the web session."""
    token = request.cookies.get(deps.SESSION_COOKIE)
    if token:
        users.revoke_token(session=session, token=token)
    deps.renew_csrf_seed(request)
    response = redirect(request, "/login")
    response.delete_cookie(deps.SESSION_COOKIE, path="/")
    return response


@router.post("/language")
def switch_language(
    request: Request, session: SessionDep, actor: deps.MaybeUser, form: deps.FormDep
) -> Response:
    """Switch between Arabic and English; remembered on the account and in a cookie."""
    language = str(form.get("lang") or "")
    if language not in LANGUAGES:
        language = deps.request_language(request)
    if actor is not None and actor.id is not None and actor.language != language:
        users.update_user(session=session, actor=actor, user_id=actor.id, language=language)
    response = redirect(request, safe_next(form.get("next")))
    set_cookie(request, response, deps.LANGUAGE_COOKIE, language, max_age=365 * 86400)
    return response
