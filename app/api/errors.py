"""Render every error as JSON `{"detail": ..., "errors": [{"field", "message"}]}`.

Messages are built from field names and rule texts only: submitted values are never echoed,
so an error response or log line cannot leak what was typed.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.audit import request_id_var
from app.core.errors import DomainError, TooManyRequests

log = logging.getLogger("app.errors")


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "body"


def _message(error: dict[str, Any]) -> str:
    if error.get("type") == "extra_forbidden":
        return "unknown field"
    if error.get("type") == "missing":
        return "required"
    if error.get("type") == "json_invalid":
        return "not valid JSON"  # pydantic's location is a character offset, not a field
    return str(error.get("msg", "invalid"))


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """Turn FastAPI's validation errors into field/message pairs without the input values."""
    return [{"field": "body" if e.get("type") == "json_invalid"
             else _field(tuple(e.get("loc", ()))), "message": _message(e)}
            for e in exc.errors()]


def domain_error_response(exc: DomainError) -> JSONResponse:
    """A domain error as the API answers it (also returned, not raised, by a route whose
    transaction must still commit, such as a refused log-in and its count)."""
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else {}
    if isinstance(exc, TooManyRequests) and exc.retry_after is not None:
        headers["Retry-After"] = str(exc.retry_after)
    return JSONResponse(
        status_code=exc.status_code,
        content={"detail": exc.detail,
                 "errors": [{"field": e.field, "message": e.message} for e in exc.errors],
                 **exc.extra},
        headers=headers or None,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the JSON error handlers on an app."""

    @app.exception_handler(DomainError)
    async def _domain(_request: Request, exc: DomainError) -> JSONResponse:
        return domain_error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc)
        fields = ", ".join(dict.fromkeys(e["field"] for e in errors))
        return JSONResponse(status_code=422,
                            content={"detail": f"invalid input: {fields}", "errors": errors})

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(status_code=exc.status_code,
                            content={"detail": str(exc.detail), "errors": []},
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        # Log the type only: exception text may carry values from the database.
        log.error("unhandled %s in request %s\n%s", type(exc).__name__, request_id_var.get(),
                  "".join(traceback.format_tb(exc.__traceback__)))
        return JSONResponse(status_code=500, content={
            "detail": f"internal error (request {request_id_var.get()})", "errors": []})
