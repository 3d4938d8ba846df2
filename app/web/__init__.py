"""The web interface for registration officers (Jinja2 + htmx, Arabic RTL and English)."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class WebHeaders:
    """Add the web pages' headers (server timing, framing, referrer and content security
    policies) to the web interface's responses; API requests pass straight through.

    A plain ASGI middleware: `@app.middleware("http")` would run every request, API ones
    included, in a task of its own with a streamed body (a large share of a fast route's cost).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_web_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed = (time.perf_counter() - started) * 1000
                headers = MutableHeaders(scope=message)
                headers["Server-Timing"] = f"app;dur={elapsed:.1f}"
                headers.setdefault("X-Frame-Options", "DENY")
                # Same-origin referrers let browsers send a real Origin on our own form posts;
                # web URLs carry no identifying values (searches are POSTed).
                headers["Referrer-Policy"] = "same-origin"
                headers.setdefault(
                    "Content-Security-Policy",
                    "default-src 'self'; style-src 'self'; img-src 'self' data:; "
                    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _call(handler: Callable[..., Any], request: Request, exc: Exception) -> Any:
    result = handler(request, exc)
    return await result if inspect.isawaitable(result) else result


def routers() -> list[APIRouter]:
    """The web interface's routers, in the order they are mounted (the authorization
    matrix walks them too)."""
    from app.web import (
        account,
        admin,
        audit,
        auth,
        cases,
        home,
        imports,
        jobs,
        persons,
        printouts,
        registrations,
        returns,
        review,
        review_models,
        stats,
        weapons,
        weapons_records,
    )

    return [module.router for module in (
        auth, account, home, registrations, printouts, persons, review_models, review, jobs,
        admin, audit, weapons_records, weapons, imports, cases, returns, stats)]


def install(app: FastAPI) -> None:
    """Mount the web interface's routes and static files on the app."""
    from app.web.errors import render_error

    app.mount("/static", CachedStaticFiles(directory=STATIC_DIR), name="static")
    for router in routers():
        app.include_router(router)

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

    app.add_middleware(WebHeaders)
