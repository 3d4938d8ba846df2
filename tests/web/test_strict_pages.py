"""Web lists answer any `page` in the address without a server error (it is clamped)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.web.helpers import make_web_user, web_login

HUGE = "9223372036854775807"


@pytest.mark.parametrize("path", ["/weapons", "/review", "/audit"])
@pytest.mark.parametrize("page", [HUGE, "0", "-3", "x"])
def test_lists_take_any_page_number(client: TestClient, engine: Engine, path: str,
                                    page: str) -> None:
    make_web_user(engine, "admin.web", role="admin", sites=[])
    web_login(client, "admin.web")
    response = client.get(path, params={"page": page})
    assert response.status_code == 200, response.text[:300]


def test_hidden_characters_and_letters_in_a_national_number_are_named_on_the_form(
        client: TestClient, engine: Engine) -> None:
    from tests.web.helpers import soup
    from tests.web.test_pages import SAME_ORIGIN, form_for

    make_web_user(engine, "officer.strict", language="en")
    web_login(client, "officer.strict")
    form = form_for(client, family_name="\u202eilafraw", national_id="ABCDEFGHIJKL",
                    date_joined="1980-01-01")
    response = client.post("/registrations", data=form, headers=SAME_ORIGIN)
    assert response.status_code == 422
    page = soup(response.text)
    assert "hidden control or direction characters" in page.find(
        id="e-family_name").get_text()
    assert "digits only" in page.find(id="e-national_id").get_text()
    assert "before the date of birth" in page.find(id="e-date_joined").get_text()
