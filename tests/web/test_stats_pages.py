"""The committee's dashboard: its home page, headline figures, every chart with its table,
every suppressed figure shown as x, one filter at a time, files, both languages."""

from __future__ import annotations

import io
import zipfile

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from app.core.db import session_scope
from tests.api.test_stats import DATA
from tests.factories import insert_plain_registrations, seed_reference
from tests.web.helpers import make_web_user, soup, web_login

CHARTS = ["chart-time", "chart-sites", "chart-pyramid", "chart-categories", "chart-funnel",
          "chart-overdue", "chart-options",
          "chart-nationality", "chart-returns", "chart-weapons", "chart-duplicates"]


@pytest.fixture
def committee(client: TestClient, engine: Engine) -> str:
    seed_reference(engine)
    with session_scope(engine) as session:
        insert_plain_registrations(session, DATA)
    client.app.state.stats_cache.compute_now()  # type: ignore[attr-defined]
    make_web_user(engine, "committee.member", role="committee", sites=[], language="en")
    return web_login(client, "committee.member")


def test_the_committee_home_is_the_dashboard(client: TestClient, committee: str) -> None:
    page = soup(client.get("/").text)
    assert page.find("h1").get_text(strip=True) == "Programme statistics"
    figure = page.select_one("#headline-registrations .big").get_text(strip=True)
    assert figure == f"{len(DATA):,}"
    for chart in CHARTS:
        block = page.select_one(f"#{chart}")
        assert block is not None, chart
        assert block.select("table.figures thead th"), chart
        if chart != "chart-returns":  # no return case in these data
            assert block.select("table.figures tbody tr"), chart
    assert page.select("#chart-sites svg rect")
    for cell in page.select("table.figures td.num"):
        text = cell.get_text(strip=True)
        assert text in ("x", "—") or not 0 < int(text.replace(",", "")) < 5, text
    women = page.select_one('#chart-sites tr[data-key="KUF"]').get_text(" ", strip=True)
    assert "x" in women.split()  # one woman at Kufra
    assert page.find("a", string="Home") is not None
    assert page.find(id="nav-register") is None  # nothing identifying offered


def test_the_first_visit_waits_for_the_figures(client: TestClient, engine: Engine) -> None:
    make_web_user(engine, "admin.first", role="admin", sites=[], language="en")
    web_login(client, "admin.first")  # an administrator's home is not the dashboard
    page = soup(client.get("/stats").text)
    assert page.find(id="stats-computing") is not None
    client.app.state.stats_cache.wait()  # type: ignore[attr-defined]
    assert soup(client.get("/stats").text).find(id="headline-registrations") is not None


def test_one_filter_at_a_time(client: TestClient, committee: str) -> None:
    may = soup(client.get("/stats", params={"filter": "month:2026-05"}).text)
    assert may.select_one("#filter option[selected]")["value"] == "month:2026-05"
    total = may.select_one("#headline-registrations .big").get_text(strip=True)
    assert total == "x"  # three women in May
    assert "no such filter" in may.select_one("#chart-duplicates figcaption").get_text()
    assert "no such filter" not in may.select_one("#chart-weapons figcaption").get_text()
    bad = client.get("/stats", params={"filter": "site:XXX"})
    assert bad.status_code == 422
    worse = client.get("/stats", params={"filter": "name:Ali"})
    assert worse.status_code == 422


def test_files(client: TestClient, committee: str) -> None:
    csv_zip = client.get("/stats/export.csv")
    assert csv_zip.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(csv_zip.content)).namelist()
    assert "metadata.csv" in names
    workbook = load_workbook(io.BytesIO(client.get("/stats/export.xlsx").content))
    assert workbook.sheetnames[0] == "metadata"
    assert client.get("/stats/export.pdf").status_code == 422


def test_arabic_right_to_left(client: TestClient, engine: Engine, committee: str) -> None:
    make_web_user(engine, "committee.ar", role="committee", sites=[], language="ar")
    web_login(client, "committee.ar")
    page = soup(client.get("/").text)
    assert page.find("html")["dir"] == "rtl"
    assert page.find("h1").get_text(strip=True) == "إحصاءات البرنامج"
    assert "طرابلس" in page.select_one("#chart-sites").get_text()
    # bars grow from the right: the first segment of a full row ends at 100
    rects = page.select("#chart-sites svg rect")
    assert any(float(r["x"]) + float(r["width"]) == pytest.approx(100) and float(r["x"]) > 0
               for r in rects)
