"""Fixtures for web tests: an officer signed in through the login form; a real browser."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.web.helpers import CHROMIUM, CHROMIUM_ARGS, make_web_user, web_login


@pytest.fixture
def officer(client: TestClient, engine: Engine) -> str:
    """Sign in a TRP registration officer (English) and return the page's CSRF token."""
    make_web_user(engine, "officer.trp", sites=["TRP"], language="en")
    return web_login(client, "officer.trp")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright; missing it fails in CI and skips elsewhere."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
