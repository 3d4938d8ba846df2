"""End to end in headless Chromium: an officer uploads a week's file with good and bad rows,
attests consent, follows the import and downloads the rejected rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from tests.imports.conftest import FIXTURES
from tests.web.helpers import browser_login, make_web_user, shot

pytestmark = pytest.mark.browser


def test_officer_imports_a_file_with_good_and_bad_rows(
    browser: object, live_server: str, engine: Engine, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    make_web_user(engine, "officer.import", sites=["TRP"], language="en")
    page: Any = browser_login(browser, live_server, "officer.import")
    page.click("#nav-imports")
    expect(page.locator("h1")).to_have_text("Imports")
    page.set_input_files("#f-file", str(FIXTURES / "malformed.csv"))
    page.select_option("#f-site", "TRP")
    page.click("#upload")

    expect(page.locator("h1")).to_have_text("Map the columns")
    preview = page.locator("#preview-rows tbody tr")
    expect(preview).to_have_count(5)
    expect(preview.nth(0).locator(".problems")).to_have_text("")
    expect(preview.nth(1).locator(".problems")).to_contain_text("not a real calendar date")
    shot(page, "imports-01-mapping")
    page.check("#f-attest")
    page.click("#start-import")

    expect(page.locator("#progress")).to_have_attribute("data-status", "done", timeout=60_000)
    expect(page.locator("[data-count=accepted]")).to_have_text("2")
    expect(page.locator("[data-count=rejected]")).to_have_text("8")
    rejected = page.locator("#rejected-rows tbody tr")
    expect(rejected).to_have_count(8)
    expect(page.locator("#rejected-rows tr[data-row='10']")).to_contain_text(
        "phone: not a valid phone number")
    shot(page, "imports-02-report")
    with page.expect_download() as download:
        page.click("#rejects")
    saved = tmp_path / "rejects.csv"
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(" in text
    assert ",=HYPERLINK(" not in text

    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"horizontal scrolling at 360 px ({width} px)"
    page.goto(f"{live_server}/imports")
    expect(page.locator("#history tbody tr")).to_have_count(1)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"horizontal scrolling at 360 px ({width} px)"
    shot(page, "imports-03-history-360px", full_page=False)
    page.context.close()


ARABIC_FILE = (
    "الاسم,اسم الأب,اسم الجد,اللقب,الجنس,تاريخ الميلاد,الجنسية,الهاتف,الفئة,الموافقة\n"
    "محمد,علي,سالم,الزوي,ذكر,1990-04-12,ليبيا,0912345670,مقاتل ليبي,نعم\n"
    "أحمد,خليفة,عمر,المقريف,ذكر,1985-13-40,ليبيا,0923456781,مقاتل ليبي,نعم\n"
    "إدريس,موسى,,,ذكر,1994,النيجر,,مقاتل أجنبي,نعم\n"
)


def test_an_arabic_spreadsheet_maps_itself_on_a_phone(
    browser: object, live_server: str, engine: Engine, tmp_path: Path
) -> None:
    """A file typed in Arabic (Windows-1256), its columns named as the form labels them and
    its values written as the form shows them, imported from a 360 px phone in Arabic."""
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    make_web_user(engine, "officer.arabic", sites=["TRP"], language="ar")
    page: Any = browser_login(browser, live_server, "officer.arabic")
    page.set_viewport_size({"width": 360, "height": 740})
    page.click("#nav-imports")
    with page.expect_download() as download:
        page.click("#template")
    assert download.value.suggested_filename == "ddr-registrations-ar.xlsx"
    download.value.save_as(tmp_path / "template.xlsx")
    sheet = load_workbook(tmp_path / "template.xlsx").active
    assert [cell.value for cell in sheet[1]][:3] == ["الموقع", "تاريخ التسجيل", "الفئة"]
    path = tmp_path / "الأسبوع.csv"
    path.write_bytes(ARABIC_FILE.encode("cp1256"))
    page.set_input_files("#f-file", str(path))
    page.select_option("#f-site", "TRP")
    page.click("#upload")

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("select[name=map-given_name]")).to_have_value("الاسم")
    expect(page.locator("select[name=map-category]")).to_have_value("الفئة")
    preview = page.locator("#preview-rows tbody tr")
    expect(preview).to_have_count(3)
    expect(preview.nth(0)).to_contain_text("مقاتل ليبي")
    expect(preview.nth(0).locator("td").nth(2)).to_have_text("ذكر")
    expect(preview.nth(0).locator("td").nth(4)).to_have_text("ليبيا")
    expect(preview.nth(2).locator("td").nth(4)).to_have_text("النيجر")
    expect(preview.nth(0).locator(".problems")).to_have_text("")
    expect(preview.nth(1).locator(".problems")).to_have_text(
        "تاريخ الميلاد: ليس تاريخًا حقيقيًا في التقويم")
    expect(preview.nth(2).locator(".problems")).to_have_text("")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"horizontal scrolling at 360 px ({width} px)"
    shot(page, "imports-04-arabic-mapping-360px")
    page.click("#start-import")

    expect(page.locator("#progress")).to_have_attribute("data-status", "done", timeout=60_000)
    expect(page.locator("[data-count=accepted]")).to_have_text("2")
    expect(page.locator("[data-count=rejected]")).to_have_text("1")
    shot(page, "imports-05-arabic-report-360px")
    page.context.close()
