"""Security headers on every response (API, docs, static files, pages, errors), HSTS over
HTTPS, the API docs from vendored assets, and no identifying values in addresses."""

from __future__ import annotations

import logging
import uuid

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.main import WITHHELD, WithholdIdentifyingAddresses, identifying_in_address

EVERY_KIND = {
    "health": ("GET", "/health", 200),
    "openapi": ("GET", "/openapi.json", 200),
    "docs": ("GET", "/docs", 200),
    "static": ("GET", "/static/app.css", 200),
    "page": ("GET", "/login", 200),
    "unknown page": ("GET", "/no-such-page", 404),
    "api unauthenticated": ("GET", "/api/v1/auth/me", 401),
    "api validation": ("POST", "/api/v1/auth/token", 422),
}


@pytest.mark.parametrize("kind", EVERY_KIND)
def test_every_response_carries_the_security_headers(client: TestClient, kind: str) -> None:
    method, path, status = EVERY_KIND[kind]
    response = client.request(method, path)
    assert response.status_code == status
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] in ("no-referrer", "same-origin")
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP


def test_too_large_bodies_carry_them_too(client: TestClient) -> None:
    response = client.post("/api/v1/auth/token", headers={"Content-Length": str(10 ** 12)},
                           content=b"")
    assert response.status_code == 413
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/health", "/login", "/docs", "/api/v1/auth/me"])
def test_hsts_over_https(app: FastAPI, path: str) -> None:
    with TestClient(app, base_url="https://testserver") as secure:
        response = secure.get(path)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=63072000")


def test_docs_load_only_vendored_assets(client: TestClient) -> None:
    page = client.get("/docs")
    html = BeautifulSoup(page.text, "lxml")
    scripts = html.find_all("script")
    assert scripts, "Swagger UI needs its scripts"
    assert all(s.get("src", "").startswith("/static/") and not s.string for s in scripts)
    sheets = [link["href"] for link in html.find_all("link", rel="stylesheet")]
    assert sheets
    assert all(href.startswith("/static/") for href in sheets)
    for url in [s["src"] for s in scripts] + sheets:
        assert client.get(url).status_code == 200, url
    assert "script-src" not in page.headers["Content-Security-Policy"]  # 'self' only
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"].split(
        "style-src")[0]


ADDRESSES = [
    ("/api/v1/registrations/search", "national_id=119880123456", True),
    ("/api/v1/registrations/119880123456", "", True),
    ("/api/v1/registrations/search", "phone=%2B218912345678", True),
    ("/api/v1/registrations/search", "phone=0912345678", True),
    ("/api/v1/registrations/search", "phone=00218912345678", True),
    ("/api/v1/registrations/3f1c9a52-8d2e-4f7b-9a61-119880123456", "", False),
    ("/api/v1/weapons", "page=2&page_size=50&since=2026-01-01", False),
    ("/api/v1/registrations/TRP-2026-000123", "", False),
]


@pytest.mark.parametrize(("path", "query", "refused"), ADDRESSES,
                         ids=[f"{p}?{q}" for p, q, _ in ADDRESSES])
def test_identifying_values_in_addresses_are_spotted(path: str, query: str,
                                                     refused: bool) -> None:
    assert identifying_in_address(path, query) is refused


def test_an_address_with_a_national_number_is_refused(client: TestClient) -> None:
    response = client.get("/api/v1/registrations/search", params={"national_id": "119880123456"})
    assert response.status_code == 400
    assert "119880123456" not in response.text
    assert response.json()["errors"][0]["field"] == "url"
    digits_only_tail = uuid.UUID("3f1c9a52-8d2e-4f7b-9a61-119880123456")
    assert client.get(f"/api/v1/registrations/{digits_only_tail}").status_code == 401


def test_the_access_log_never_names_an_identifying_address(app: FastAPI) -> None:
    access_log = logging.getLogger("uvicorn.access")
    assert any(isinstance(f, WithholdIdentifyingAddresses) for f in access_log.filters)
    lines = []
    for path in ("/api/v1/registrations/search?phone=0912345678", "/api/v1/weapons?page=2"):
        record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                                   '%s - "%s %s HTTP/%s" %d',
                                   ("127.0.0.1:5000", "GET", path, "1.1", 400), None)
        for log_filter in access_log.filters:
            log_filter.filter(record)
        lines.append(record.getMessage())
    assert "0912345678" not in lines[0]
    assert WITHHELD in lines[0]
    assert "/api/v1/weapons?page=2" in lines[1]
