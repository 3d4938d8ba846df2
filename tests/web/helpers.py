"""Helpers for web tests: log in through the form, read CSRF tokens, parse HTML, take
screenshots; the people of the review tests."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.core.db import session_scope
from app.core.security import SYSTEM
from app.users import service as users
from app.users.models import User
from tests.factories import PASSWORD, make_user

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

# a man registered twice at TRP (Arabic, then Latin letters): the review tests' second pair
KHALED = {"given_name": "خالد", "father_name": "حسن", "grandfather_name": "عمر",
          "family_name": "المصراتي", "mother_name": "سالمة", "date_of_birth": "1975-05-20",
          "place_of_birth": "مصراتة", "alias": None, "phone": "0923456789",
          "national_id": "119750520111"}
KHALED_LATIN = {**KHALED, "given_name": "Khaled", "father_name": "Hassan",
                "grandfather_name": "Omar", "family_name": "Al-Misrati", "mother_name": "Salma",
                "place_of_birth": "Misrata"}


def soup(html: str) -> BeautifulSoup:
    """Parse a page or fragment."""
    return BeautifulSoup(html, "lxml")


def csrf_from(html: str) -> str:
    """The CSRF token a page embeds in its forms."""
    field = soup(html).find("input", attrs={"name": "csrf_token"})
    assert field is not None, "page has no CSRF field"
    return str(field["value"])


def make_web_user(engine: Engine, username: str, role: str = "registration_officer",
                  sites: list[str] | None = None, language: str = "en",
                  authorisations: list[str] | None = None) -> str:
    """Create a user with a language (services only) and return the username."""
    make_user(engine, username, role, sites if sites is not None else ["TRP"], authorisations)
    with session_scope(engine) as session:
        user = session.exec(User.__table__.select().where(User.username == username)).first()  # type: ignore[attr-defined]
        users.update_user(session=session, actor=SYSTEM, user_id=user.id, language=language)
    return username


def web_login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the form; return the CSRF token of the home page."""
    page = client.get("/login")
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": csrf_from(page.text)},
                           headers={"Origin": "http://testserver"})
    assert response.status_code == 200, response.text  # followed the redirect home
    return csrf_from(response.text)


def browser_login(browser: object, live_server: str, username: str) -> object:
    """A new 1280×900 page of `browser`, signed in as `username` through the login form."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    return page


def shot(page: object, name: str, full_page: bool = True) -> None:
    """Save a screenshot as a test artifact."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)  # type: ignore[attr-defined]
