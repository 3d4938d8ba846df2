"""Fixtures for web tests: an officer signed in through the login form."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.web.helpers import make_web_user, web_login


@pytest.fixture
def officer(client: TestClient, engine: Engine) -> str:
    """Sign in a TRP registration officer (English) and return the page's CSRF token."""
    make_web_user(engine, "officer.trp", sites=["TRP"], language="en")
    return web_login(client, "officer.trp")
