"""The FastAPI application: JSON API under /api/v1 (and the web UI as later issues add it)."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse

from app import web
from app.api import audit, auth, matching, reference, registrations, users
from app.api.errors import install_error_handlers
from app.core.audit import request_id_var
from app.core.db import make_engine
from app.core.keys import check_or_store_key, load_crypto
from app.core.settings import Settings, get_settings
from matching import load_model

_REQUEST_ID = re.compile(r"^[A-Za-z0-9\-]{8,64}$")

DESCRIPTION = """
The national DDR register: enrolment of ex-combatants and foreign fighters at many sites,
biometric-free duplicate detection, field-level encryption of every identifying value.

Authenticate with `POST /api/v1/auth/token` (OAuth2 password form) and send
`Authorization: Bearer <token>`. Errors are JSON: `{"detail": ..., "errors": [{"field",
"message"}]}`; records outside your sites answer 404.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application: check configuration and key, then mount the routes."""
    settings = settings or get_settings()
    settings.check_secure()
    logging.basicConfig(level=settings.log_level)
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

    @app.middleware("http")
    async def _request_context(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        given = request.headers.get("x-request-id", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            length = int(request.headers.get("content-length") or 0)
            if length > settings.max_upload_bytes:
                return JSONResponse(status_code=413, content={
                    "detail": f"request body over {settings.max_upload_bytes} bytes",
                    "errors": [{"field": "body", "message": "too large"}]})
            response = await call_next(request)
        finally:
            request_id_var.reset(token)
        response.headers["X-Request-ID"] = request_id
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    api = APIRouter(prefix="/api/v1")
    for module in (auth, registrations, matching, reference, users, audit):
        api.include_router(module.router)
    app.include_router(api)
    web.install(app)

    @app.get("/health", tags=["health"], summary="Liveness")
    def health() -> dict[str, str]:
        """Answer 200 when the process is up."""
        return {"status": "ok"}

    return app
