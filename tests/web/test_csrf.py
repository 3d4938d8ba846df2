"""CSRF: state-changing requests need the page's token and must come from our own origin."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.web.helpers import csrf_from, make_web_user, soup


def test_login_without_token_is_refused(client: TestClient, engine: Engine) -> None:
    make_web_user(engine, "c1")
    client.get("/login")
    response = client.post("/login", data={"username": "c1", "password": "correct horse battery"})
    assert response.status_code == 403
    assert client.cookies.get("ddr_session") is None


def test_form_post_without_token_is_refused(client: TestClient, officer: str) -> None:
    response = client.post("/language", data={"lang": "ar", "next": "/"})
    assert response.status_code == 403
    assert soup(response.text).select_one(".error[role=alert]") is not None
    assert soup(client.get("/").text).html["lang"] == "en"


def test_wrong_token_is_refused(client: TestClient, officer: str) -> None:
    response = client.post("/language", data={"lang": "ar", "csrf_token": officer[::-1]})
    assert response.status_code == 403


def test_htmx_post_without_header_is_refused(client: TestClient, officer: str) -> None:
    response = client.post("/registrations/check", data={"national_id": "119880123456"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 403
    ok = client.post("/registrations/check", data={"national_id": "119880123456"},
                     headers={"HX-Request": "true", "X-CSRF-Token": officer})
    assert ok.status_code == 200


def test_cross_site_origin_is_refused_even_with_a_token(client: TestClient, officer: str) -> None:
    response = client.post("/language", data={"lang": "ar", "csrf_token": officer},
                           headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    fetch = client.post("/language", data={"lang": "ar", "csrf_token": officer},
                        headers={"Sec-Fetch-Site": "cross-site"})
    assert fetch.status_code == 403
    same = client.post("/language", data={"lang": "ar", "csrf_token": officer},
                       headers={"Origin": "http://testserver"})
    assert same.status_code == 200
    assert soup(same.text).html["dir"] == "rtl"


def test_token_from_another_browser_is_refused(client: TestClient, app: object,
                                               officer: str) -> None:
    with TestClient(app) as other:  # type: ignore[arg-type]
        foreign = csrf_from(other.get("/login").text)
    response = client.post("/logout", data={"csrf_token": foreign})
    assert response.status_code == 403
