"""The import API: a file queued and run in the background, its report and rejects, files and
mappings that cannot be used refused naming why, imports seen only by their importer."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.factories import user_headers
from tests.imports.conftest import FIXTURES


def finished(client: TestClient, job_id: str, headers: dict[str, str]) -> dict[str, Any]:
    """The job once its background thread has run it."""
    deadline = time.monotonic() + 120
    while True:
        job: dict[str, Any] = client.get(f"/api/v1/imports/{job_id}", headers=headers).json()
        if job["status"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, f"the import did not finish: {job['status']}"
        time.sleep(0.05)


def upload(client: TestClient, headers: dict[str, str], name: str, content: bytes,
           **data: Any) -> Any:
    return client.post("/api/v1/imports", files={"file": (name, content)}, data=data,
                       headers=headers)


def test_an_upload_runs_in_the_background_and_reports_every_row(
    client: TestClient, engine: Engine
) -> None:
    officer = user_headers(client, engine, "registration_officer", ["TRP"])
    queued = upload(client, officer, "week.csv", (FIXTURES / "malformed.csv").read_bytes())
    assert queued.status_code == 202, queued.text
    assert queued.json()["status"] in ("queued", "running", "done")
    job = finished(client, queued.json()["id"], officer)
    assert (job["status"], job["summary"]) == (
        "done", "accepted=2 rejected=8 flagged=0 duplicates=0 skipped=0")
    assert job["file_name"] == "week.csv"
    rows = {r["row"]: r for r in job["rows"]}
    assert rows[9] == {"row": 9, "outcome": "rejected", "registration_id": None,
                       "problems": [{"field": "sex", "message": "not one of the allowed values"}],
                       "findings": []}
    rejects = client.get(f"/api/v1/imports/{job['id']}/rejects", headers=officer)
    assert rejects.status_code == 200
    assert rejects.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(rejects.text.lstrip("\ufeff"))))
    assert table[0][:3] == ["_row", "_problems", "record_id"]
    assert len(table) == 9
    listed = client.get("/api/v1/imports", headers=officer).json()
    assert [j["id"] for j in listed] == [job["id"]]


def test_a_file_imported_again_skips_its_rows(client: TestClient, engine: Engine) -> None:
    officer = user_headers(client, engine, "registration_officer", ["SEB"])
    content = (FIXTURES / "odk_export.csv").read_bytes()
    mapping = ("odk.yaml", (FIXTURES / "odk_mapping.yaml").read_bytes())
    first = client.post("/api/v1/imports", files={"file": ("odk.csv", content),
                                                  "mapping": mapping}, headers=officer)
    assert finished(client, first.json()["id"], officer)["summary"] == (
        "accepted=3 rejected=1 flagged=0 duplicates=2 skipped=0")
    again = client.post("/api/v1/imports", files={"file": ("odk.csv", content),
                                                  "mapping": mapping}, headers=officer)
    assert finished(client, again.json()["id"], officer)["summary"] == (
        "accepted=0 rejected=1 flagged=0 duplicates=0 skipped=3")


def test_a_file_or_mapping_that_cannot_be_used_is_refused(client: TestClient,
                                                          engine: Engine) -> None:
    officer = user_headers(client, engine, "registration_officer", ["TRP"])
    old = upload(client, officer, "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    assert old.status_code == 422
    assert old.json()["errors"] == [
        {"field": "file", "message": "an old Excel file (.xls): save it as .xlsx or CSV"}]
    unmapped = upload(client, officer, "arabic.csv", "الاسم الكامل,العمر\nعلي,30\n".encode())
    assert unmapped.status_code == 422
    assert {e["field"] for e in unmapped.json()["errors"]} == {
        "category", "sex", "nationality", "given_name", "site"}
    other_site = upload(client, officer, "x.csv", b"given_name\nAli\n", site="BEN")
    assert other_site.status_code == 403
    assert client.get("/api/v1/imports", headers=officer).json() == []


def test_an_import_is_not_found_for_another_officer(client: TestClient, engine: Engine) -> None:
    officer = user_headers(client, engine, "registration_officer", ["TRP"])
    colleague = user_headers(client, engine, "registration_officer", ["TRP"])
    job = upload(client, officer, "week.csv", (FIXTURES / "malformed.csv").read_bytes()).json()
    finished(client, job["id"], officer)
    assert client.get(f"/api/v1/imports/{job['id']}", headers=colleague).status_code == 404
    assert client.get(f"/api/v1/imports/{job['id']}/rejects",
                      headers=colleague).status_code == 404
