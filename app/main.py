"""The FastAPI application: JSON API under /api/v1 (and the web UI as later issues add it)."""

from __future__ import annotations

import logging
import re
import uuid

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import web
from app.api import (
    audit,
    auth,
    cases,
    imports,
    matching,
    reference,
    registrations,
    returns,
    users,
    weapons,
)
from app.api.errors import install_error_handlers
from app.core.audit import request_id_var
from app.core.db import make_engine
from app.core.keys import check_or_store_key, load_crypto
from app.core.settings import Settings, get_settings
from app.models import all_models
from matching import load_model

_REQUEST_ID = re.compile(r"^[A-Za-z0-9\-]{8,64}$")

DESCRIPTION = """
The national DDR register: enrolment of ex-combatants and foreign fighters at many sites,
biometric-free duplicate detection, field-level encryption of every identifying value.

Authenticate with `POST /api/v1/auth/token` (OAuth2 password form) and send
`Authorization: Bearer <token>`. Errors are JSON: `{"detail": ..., "errors": [{"field",
"message"}]}`; records outside your sites answer 404.
"""


class RequestContext:
    """Give each request an id (the caller's X-Request-ID if well formed) for the audit trail,
    refuse bodies over the size limit and add the security headers to every response.

    A plain ASGI middleware: `@app.middleware("http")` would run each request in a task of
    its own with streamed bodies.
    """

    def __init__(self, app: ASGIApp, max_upload_bytes: int) -> None:
        self.app = app
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        given = headers.get("x-request-id", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            if int(headers.get("content-length") or 0) > self.max_upload_bytes:
                response = JSONResponse(status_code=413, content={
                    "detail": f"request body over {self.max_upload_bytes} bytes",
                    "errors": [{"field": "body", "message": "too large"}]})
                await response(scope, receive, send)
                return

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    out = MutableHeaders(scope=message)
                    out["X-Request-ID"] = request_id
                    out.setdefault("Cache-Control", "no-store")
                    out.setdefault("X-Content-Type-Options", "nosniff")
                    out.setdefault("Referrer-Policy", "no-referrer")
                await send(message)

            await self.app(scope, receive, send_with_headers)
        finally:
            request_id_var.reset(token)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application: check configuration and key, then mount the routes."""
    settings = settings or get_settings()
    settings.check_secure()
    logging.basicConfig(level=settings.log_level)
    all_models()
    engine = make_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    crypto = load_crypto(settings)
    check_or_store_key(engine, crypto)

    app = FastAPI(title="DDR Registry", version="0.1.0", description=DESCRIPTION,
                  openapi_url="/openapi.json", docs_url="/docs", redoc_url=None)
    app.state.settings = settings
    app.state.engine = engine
    app.state.crypto = crypto
    app.state.match_model = load_model(settings.match_model) if settings.match_model else None
    install_error_handlers(app)

    app.add_middleware(RequestContext, max_upload_bytes=settings.max_upload_bytes)

    api = APIRouter(prefix="/api/v1")
    for module in (auth, registrations, cases, returns, matching, reference, users, audit, weapons,
                   imports):
        api.include_router(module.router)
    app.include_router(api)
    web.install(app)

    @app.get("/health", tags=["health"], summary="Liveness")
    def health() -> dict[str, str]:
        """Answer 200 when the process is up."""
        return {"status": "ok"}

    return app
