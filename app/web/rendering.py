"""Jinja2 environments (one per language) and the helper that renders pages and fragments."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from app.core.roles import AUDIT_READERS, PII_READERS, REGISTRARS, REVIEWERS, Role
from app.core.security import Principal
from app.web import deps
from app.web.form_errors import label, sentence
from app.web.i18n import (
    direction,
    format_age,
    format_day,
    translate_message,
    translate_reason,
    translate_signal,
    translations,
)
from reintegration.returns.countries import country_name

TEMPLATES = Path(__file__).parent / "templates"
STATIC_VERSION = "4"


@cache
def environment(language: str) -> jinja2.Environment:
    """Return the template environment of a language, with its catalogue installed."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(lang=language, dir=direction(language), static_version=STATIC_VERSION)
    env.filters["day"] = lambda value: format_day(value, language)
    env.filters["msg"] = lambda value: translate_message(str(value), language)
    env.filters["reason"] = lambda value: translate_reason(value, language)
    env.filters["signal"] = lambda value: translate_signal(value, language)
    env.filters["age"] = lambda value: format_age(value, language)
    env.filters["country"] = lambda code: country_name(code, language)
    env.globals["sentence"] = lambda name, message: sentence(name, message, language)
    env.globals["label"] = lambda name: label(name, language)
    return env


def permissions(actor: Principal | None) -> dict[str, bool]:
    """What the signed-in user's role may use: the navigation offers nothing else (and each
    page checks the same sets before anything is filled in)."""
    role = actor.role if actor else None
    return {
        "search": role in PII_READERS,
        "register": role in REGISTRARS,
        "review": role in REVIEWERS,
        "models": role == Role.admin,
        "admin": role == Role.admin,
        "audit": role in AUDIT_READERS,
    }


def set_cookie(request: Request, response: Response, name: str, value: str,
               max_age: int | None = None) -> None:
    """Set one of our cookies: HttpOnly, SameSite=Strict, Secure over HTTPS."""
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict",
                        secure=deps.is_https(request), path="/")


def finish(request: Request, response: Response) -> Response:
    """Attach the cookies this request decided to set (a new CSRF seed)."""
    seed = getattr(request.state, "new_csrf_seed", None)
    if seed:
        set_cookie(request, response, deps.CSRF_COOKIE, seed)
    return response


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    actor: Principal | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Render a template in the request's language with the common context."""
    language = deps.request_language(request)
    env = environment(language)
    values = {
        "request": request,
        "actor": actor,
        "can": permissions(actor),
        "csrf_token": deps.csrf_token(request),
        "path": request.url.path,
        "htmx": deps.is_htmx(request),
        **(context or {}),
    }
    html = env.get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    return finish(request, response)
