"""The import pages, parsed: upload, column mapping with its preview, the job page polled
while it runs, the report and the rejects file in the user's language."""

from __future__ import annotations

import csv
import io
import time

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.imports.conftest import FIXTURES
from tests.web.helpers import csrf_from, make_web_user, soup, web_login

SAME_ORIGIN = {"Origin": "http://testserver"}
HTMX = {**SAME_ORIGIN, "HX-Request": "true"}


def upload(client: TestClient, csrf: str, name: str, content: bytes, **data: str
           ) -> tuple[str, str]:
    """Upload a file; the mapping page's address and HTML."""
    response = client.post("/imports", data={"csrf_token": csrf, **data},
                           files={"file": (name, content)}, headers=SAME_ORIGIN)
    assert response.status_code == 200, response.text
    return str(response.url.path), response.text


def mapping_form(html: str) -> dict[str, str]:
    """The mapping form's fields as the browser would post them."""
    page = soup(html)
    form: dict[str, str] = {}
    for select in page.select("#mapping-form select"):
        chosen = select.find("option", selected=True)
        form[select["name"]] = chosen["value"] if chosen else ""
    form["csrf_token"] = page.select_one("#mapping-form input[name=csrf_token]")["value"]
    return form


def wait_done(client: TestClient, job_path: str) -> None:
    deadline = time.monotonic() + 120
    while True:
        fragment = client.get(f"{job_path}/progress", headers=HTMX)
        if fragment.headers.get("HX-Refresh") == "true":
            return
        assert soup(fragment.text).select_one("#progress")["hx-trigger"] == "every 1s"
        assert time.monotonic() < deadline, "the import did not finish"
        time.sleep(0.05)


def test_an_officer_maps_previews_and_imports_a_kobo_export(client: TestClient,
                                                            engine: Engine) -> None:
    make_web_user(engine, "officer.seb", sites=["SEB"], language="en")
    csrf = web_login(client, "officer.seb")
    path, html = upload(client, csrf, "kobo.csv", (FIXTURES / "kobo_export.csv").read_bytes(),
                        site="SEB")
    assert path.endswith("/mapping")
    page = soup(html)
    assert page.select_one("#map-nationality option[selected]")["value"] == (
        "identity/nationality")  # the record CSV's name under the form's group
    assert page.select_one("#map-given_name option[selected]")["value"] == (
        "identity/first_name")  # a name the field is known by, under the form's group
    assert page.select_one("#missing") is None  # every field the file must give has a column
    _, unknown = upload(client, csrf, "names.csv", b"full name,age\nAli Omar,30\n", site="SEB")
    missing = soup(unknown).select_one("#missing").get_text(" ", strip=True)
    assert "Given name" in missing
    assert "Nationality" in missing

    form = mapping_form(html)
    form.update({"map-given_name": "identity/first_name", "map-father_name": "identity/father",
                 "map-family_name": "identity/family",
                 "map-grandfather_name": "identity/grandfather", "map-sex": "identity/sex",
                 "map-date_of_birth": "identity/birth_date", "map-category": "service/category",
                 "map-consent": "consent_given", "map-registered_on": "today"})
    job_path = path.removesuffix("/mapping")
    preview = client.post(f"{job_path}/preview", data=form, headers=HTMX)
    assert preview.status_code == 200
    rows = soup(preview.text).select("#preview-rows tbody tr")
    assert [r["data-row"] for r in rows] == ["2", "3", "4", "5", "6"]
    first = rows[0].find_all("td")
    assert first[1].get_text(strip=True) == "محمد عبد السلام علي الورفلي"
    assert first[5].get_text(strip=True) == "0912345678"  # as read: the row will be refused
    assert "not one of the allowed values" in rows[0].select_one(".problems").get_text()

    started = client.post(f"{job_path}/start", data={**form, "site": "SEB"},
                          headers=SAME_ORIGIN)
    assert started.status_code == 200
    assert str(started.url.path) == job_path
    wait_done(client, job_path)
    report = soup(client.get(job_path).text)
    counts = {d["data-count"]: d.get_text(strip=True) for d in report.select("#counts dd")}
    assert counts == {"processed": "6", "accepted": "0", "rejected": "6", "flagged": "0",
                      "duplicates": "0", "skipped": "0"}
    problems = report.select_one("#rejected-rows tr[data-row='2'] td:nth-of-type(2)").get_text()
    assert "service/category: not one of the allowed values" in problems


def test_the_mapping_file_is_used_and_the_report_is_in_arabic(client: TestClient,
                                                              engine: Engine) -> None:
    make_web_user(engine, "officer.ar", sites=["SEB"], language="ar")
    csrf = web_login(client, "officer.ar")
    response = client.post("/imports", data={"csrf_token": csrf, "site": "SEB"}, files={
        "file": ("kobo.csv", (FIXTURES / "kobo_export.csv").read_bytes()),
        "mapping": ("kobo.yaml", (FIXTURES / "kobo_mapping.yaml").read_bytes())},
        headers=SAME_ORIGIN)
    assert response.status_code == 200
    page = soup(response.text)
    assert page.html["dir"] == "rtl"
    assert page.select_one("#missing") is None
    first = page.select_one("#preview-rows tr[data-row='2']").find_all("td")
    assert first[5].get_text(strip=True) == "+218912345678"  # as it will be stored: E.164
    assert first[9].get_text(strip=True) == ""  # no problem
    problems = page.select_one("#preview-rows tr[data-row='5'] .problems").get_text()
    assert problems.strip() == "اسم الأب: مطلوب للطفل"
    job_path = str(response.url.path).removesuffix("/mapping")
    form = mapping_form(response.text)
    started = client.post(f"{job_path}/start", data={**form, "site": "SEB"},
                          headers=SAME_ORIGIN)
    assert started.status_code == 200
    wait_done(client, job_path)
    report = soup(client.get(job_path).text)
    flagged = report.select("#flagged-rows tbody tr")
    assert [(r["data-row"], r["data-outcome"]) for r in flagged] == [
        ("2", "duplicate"), ("6", "duplicate")]
    assert flagged[0].select_one("a[href^='/persons/']") is not None
    rejects = client.get(f"{job_path}/rejects.csv")
    table = list(csv.DictReader(io.StringIO(rejects.text.lstrip("\ufeff"))))
    assert [r["_row"] for r in table] == ["5", "7"]
    assert table[1]["_problems"].startswith("consent_given: المشارك لم يوافق")
    yaml_file = client.get(f"{job_path}/mapping.yaml")
    assert "identity/first_name" in yaml_file.text
    again = client.post(f"{job_path}/start", data={**form, "csrf_token": csrf_from(
        client.get(f"{job_path}/mapping").text)}, headers=SAME_ORIGIN)
    assert again.status_code == 409  # it runs once


def test_an_unreadable_upload_is_refused_on_the_page(client: TestClient,
                                                     engine: Engine) -> None:
    make_web_user(engine, "officer.trp", sites=["TRP"], language="en")
    csrf = web_login(client, "officer.trp")
    response = client.post("/imports", data={"csrf_token": csrf},
                           files={"file": ("old.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 64)},
                           headers=SAME_ORIGIN)
    assert response.status_code == 422
    assert "old Excel file" in soup(response.text).select_one(".error").get_text()


def test_committee_members_cannot_import(client: TestClient, engine: Engine) -> None:
    make_web_user(engine, "committee.member", role="committee", sites=[], language="en")
    web_login(client, "committee.member")
    assert client.get("/imports").status_code == 403
    assert soup(client.get("/").text).select_one("#nav-imports") is None
