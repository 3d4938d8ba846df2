"""The web interface for registration officers (Jinja2 + htmx, Arabic RTL and English)."""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from app.core.errors import DomainError

STATIC_DIR = Path(__file__).parent / "static"
_NOT_WEB = ("/api/", "/openapi.json", "/docs", "/health", "/static/")


class CachedStaticFiles(StaticFiles):
    """Static files a slow link fetches once: cacheable for a day (names carry versions)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        """Serve a file with a Cache-Control header."""
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response


def is_web_path(path: str) -> bool:
    """Whether a path belongs to the web interface (not the API, docs or static files)."""
    return not path.startswith(_NOT_WEB)


async def _call(handler: Callable[..., Any], request: Request, exc: Exception) -> Any:
    result = handler(request, exc)
    return await result if inspect.isawaitable(result) else result


def install(app: FastAPI) -> None:
    """Mount the web interface's routes and static files on the app."""
    from app.web import auth, home, persons, registrations, review, review_models
    from app.web.errors import render_error

    app.mount("/static", CachedStaticFiles(directory=STATIC_DIR), name="static")
    for module in (auth, home, registrations, persons, review_models, review):
        app.include_router(module.router)

    json_domain = app.exception_handlers[DomainError]
    json_http = app.exception_handlers[StarletteHTTPException]

    async def _domain(request: Request, exc: Exception) -> Any:
        if is_web_path(request.url.path) and isinstance(exc, DomainError):
            return render_error(request, exc.status_code, exc.detail)
        return await _call(json_domain, request, exc)

    async def _http(request: Request, exc: Exception) -> Any:
        if is_web_path(request.url.path) and isinstance(exc, StarletteHTTPException):
            return render_error(request, exc.status_code, str(exc.detail))
        return await _call(json_http, request, exc)

    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(StarletteHTTPException, _http)

    @app.middleware("http")
    async def _server_timing(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        if is_web_path(request.url.path):
            elapsed = (time.perf_counter() - started) * 1000
            response.headers["Server-Timing"] = f"app;dur={elapsed:.1f}"
            response.headers.setdefault("X-Frame-Options", "DENY")
            # Same-origin referrers let browsers send a real Origin on our own form posts;
            # web URLs carry no identifying values (searches are POSTed).
            response.headers["Referrer-Policy"] = "same-origin"
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; style-src 'self'; img-src 'self' data:; "
                "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
        return response
