"""The API docs in headless Chromium: Swagger UI renders from vendored assets under the
page's Content-Security-Policy, asks no other host for anything, and breaks no rule of it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser


def test_swagger_ui_renders_from_this_site_only(browser: Any, live_server: str) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    hosts: set[str] = set()
    problems: list[str] = []
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" else None)
    page.goto(f"{live_server}/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=20_000)
    assert page.locator(".opblock").count() > 20  # every operation listed
    assert hosts == {urlsplit(live_server).netloc}
    assert not [p for p in problems if "Content Security Policy" in p], problems
    context.close()
