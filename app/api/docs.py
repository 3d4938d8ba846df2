"""The interactive API documentation (Swagger UI) from vendored assets: no third-party host
is contacted, and the page's script comes from this site only (no inline script)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

SWAGGER_UI = "5.35.0"
DOCS_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
"""Swagger UI sets style attributes as it renders: styles may be inline, scripts may not."""

router = APIRouter(include_in_schema=False)

_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>DDR Registry API</title>
<link rel="stylesheet" href="/static/swagger-ui-{SWAGGER_UI}.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/static/swagger-ui-bundle-{SWAGGER_UI}.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


@router.get("/docs")
def docs() -> HTMLResponse:
    """Swagger UI for the OpenAPI schema at /openapi.json."""
    return HTMLResponse(_PAGE, headers={"Content-Security-Policy": DOCS_POLICY})
