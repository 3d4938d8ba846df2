"""The OpenAPI schema as the API really answers: every error is `ErrorOut`, and the statuses
any operation can give are documented on each (the middleware's 400 and 413, 401 and 403 for
signed-in operations, 404 where a path names a record).

FastAPI documents its own validation error shape (`HTTPValidationError`); this API answers
422 like every other error, so the schema is corrected once here rather than route by route.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

PUBLIC_PATHS = frozenset({"/api/v1/auth/token", "/health"})
_DESCRIPTIONS = {
    "400": "the address carries an identifying value (send it in the body)",
    "401": "not authenticated",
    "403": "your role or site may not do this",
    "404": "not found, or outside your sites",
    "413": "request body too large",
    "422": "invalid input; `errors` names each field",
}
_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}


class FieldErrorOut(BaseModel):
    """One problem with one field (the value given is never repeated)."""

    field: str
    message: str


class ErrorOut(BaseModel):
    """Every error answer: what went wrong and, for bad input, each field concerned."""

    detail: str
    errors: list[FieldErrorOut]


def _statuses(path: str, operation: dict[str, Any]) -> set[str]:
    statuses = {"400", "413"}
    if path not in PUBLIC_PATHS:
        statuses |= {"401", "403"}
    if "{" in path:
        statuses.add("404")
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.add("422")
    return statuses


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Give every error response of a schema the `ErrorOut` body and document the statuses
    every operation can answer with."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    components["FieldErrorOut"] = FieldErrorOut.model_json_schema()
    components["ErrorOut"] = ErrorOut.model_json_schema(
        ref_template="#/components/schemas/{model}")
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status in _statuses(path, operation):
                responses.setdefault(status, {"description": _DESCRIPTIONS[status]})
            for status, response in responses.items():
                if status.startswith("4"):
                    response["content"] = _ERROR
    return schema


def install_openapi(app: FastAPI) -> None:
    """Serve the corrected schema at /openapi.json (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
