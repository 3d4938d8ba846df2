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
    docs,
    exports,
    imports,
    matching,
    reference,
    registrations,
    returns,
    safeguards,
    stats,
    users,
    weapons,
)
from app.api.errors import install_error_handlers
from app.api.openapi import install_openapi
from app.core.audit import request_id_var
from app.core.db import make_engine, make_reader_engine
from app.core.keys import check_or_store_key, load_crypto
from app.core.security import verify_password
from app.core.settings import Settings, get_settings
from app.models import all_models
from exports.service import StatisticsCache
from matching import load_model

_REQUEST_ID = re.compile(r"^[A-Za-z0-9\-]{8,64}$")

DESCRIPTION = """
The national DDR register: enrolment of ex-combatants and foreign fighters at many sites,
biometric-free duplicate detection, field-level encryption of every identifying value.

Authenticate with `POST /api/v1/auth/token` (OAuth2 password form) and send
`Authorization: Bearer <token>`. Errors are JSON: `{"detail": ..., "errors": [{"field",
"message"}]}`; records outside your sites answer 404.
"""


API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
"""The Content-Security-Policy of answers that are not web pages (JSON, files): nothing in
them may load or run anything."""
HSTS = "max-age=63072000; includeSubDomains"
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_IDENTIFYING_IN_ADDRESS = re.compile(
    r"(?<![0-9A-Za-z])(?:[12][0-9]{11}|(?:\+|%2[bB]|00)?218[0-9]{9}|0?9[1-5][0-9]{7})"
    r"(?![0-9A-Za-z])")
"""A national number or a Libyan mobile number in a path or query string."""


def identifying_in_address(path: str, query: str) -> bool:
    """Whether a request's address carries what looks like a national number or a phone
    (access logs print addresses: such values belong in the request body)."""
    return bool(_IDENTIFYING_IN_ADDRESS.search(_UUID.sub("", f"{path}?{query}")))


WITHHELD = "[address withheld: it carried an identifying value]"


class WithholdIdentifyingAddresses(logging.Filter):
    """Keep identifying values out of the access log: the line of a request whose address
    carried one (refused with 400) names no address."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the address of such a request in uvicorn's access-log record."""
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path, _, query = args[2].partition("?")
            if identifying_in_address(path, query):
                record.args = (*args[:2], WITHHELD, *args[3:])
        return True


class RequestContext:
    """Give each request an id (the caller's X-Request-ID if well formed) for the audit trail,
    refuse bodies over the size limit and addresses carrying identifying values, and add the
    security headers to every response (HSTS when served over HTTPS).

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
            https = scope.get("scheme") == "https"
            web_page = web.is_web_path(scope["path"])

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    out = MutableHeaders(scope=message)
                    out["X-Request-ID"] = request_id
                    out.setdefault("Cache-Control", "no-store")
                    out.setdefault("X-Content-Type-Options", "nosniff")
                    out.setdefault("Referrer-Policy", "no-referrer")
                    out.setdefault("X-Frame-Options", "DENY")
                    out.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                    out.setdefault("Cross-Origin-Resource-Policy", "same-origin")
                    out.setdefault("Permissions-Policy",
                                   "camera=(), microphone=(), geolocation=(), payment=()")
                    if not web_page:  # web pages carry their own policy (app.web.WebHeaders)
                        out.setdefault("Content-Security-Policy", API_POLICY)
                    if https:
                        out["Strict-Transport-Security"] = HSTS
                await send(message)

            if int(headers.get("content-length") or 0) > self.max_upload_bytes:
                response = JSONResponse(status_code=413, content={
                    "detail": f"request body over {self.max_upload_bytes} bytes",
                    "errors": [{"field": "body", "message": "too large"}]})
                await response(scope, receive, send_with_headers)
                return
            if identifying_in_address(scope["path"], scope["query_string"].decode("latin-1")):
                response = JSONResponse(status_code=400, content={
                    "detail": "identifying values go in the request body, never in the address",
                    "errors": [{"field": "url", "message": "carries an identifying value"}]})
                await response(scope, receive, send_with_headers)
                return

            await self.app(scope, receive, send_with_headers)
        finally:
            request_id_var.reset(token)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application: check configuration and key, then mount the routes."""
    settings = settings or get_settings()
    settings.check_secure()
    logging.basicConfig(level=settings.log_level)
    access_log = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, WithholdIdentifyingAddresses) for f in access_log.filters):
        access_log.addFilter(WithholdIdentifyingAddresses())
    all_models()
    engine = make_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    crypto = load_crypto(settings)
    check_or_store_key(engine, crypto)
    verify_password(None, "")  # the unknown-name hash made now, not at the first login

    app = FastAPI(title="DDR Registry", version="0.1.0", description=DESCRIPTION,
                  openapi_url="/openapi.json", docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.engine = engine
    app.state.crypto = crypto
    app.state.stats_cache = StatisticsCache(make_reader_engine(
        settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms))
    app.state.match_model = load_model(settings.match_model) if settings.match_model else None
    install_error_handlers(app)

    app.add_middleware(RequestContext, max_upload_bytes=settings.max_upload_bytes)

    api = APIRouter(prefix="/api/v1")
    for module in (auth, registrations, cases, returns, matching, reference, users, audit,
                   weapons, imports, stats, exports, safeguards):
        api.include_router(module.router)
    app.include_router(api)
    app.include_router(docs.router)
    install_openapi(app)
    web.install(app)

    @app.get("/health", tags=["health"], summary="Liveness")
    def health() -> dict[str, str]:
        """Answer 200 when the process is up."""
        return {"status": "ok"}

    return app
