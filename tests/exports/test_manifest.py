"""A movement's manifest: exactly the allowed fields, XLSX and PDF, opens only with its
passphrase, watermarked, its export audited with the purpose, and a signature that fails
after any byte changes."""

from __future__ import annotations

import io
import random
from typing import Any

import pypdfium2
import pytest
import pyzipper
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.models import AuditEvent
from exports.signing import BadSignature, verify
from tests.reintegration.conftest import API
from tests.reintegration.returns.conftest import fighter, plan, ready_case

PASSPHRASE = "sahel convoy twenty-seven"
COLUMNS = ["Registration number / رقم التسجيل", "Name (as written) / الاسم (كما كتب)",
           "Name (Latin letters) / الاسم (بالحروف اللاتينية)",
           "Date of birth / تاريخ الميلاد", "Travel document number / رقم وثيقة السفر"]


@pytest.fixture
def exported(client: TestClient, people: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A convoy of one ready Chadian, its manifest exported by the coordinator."""
    headers = people["coordinator"]
    registered = fighter(client, people["officer"])
    case = ready_case(client, headers, registered["person_id"])
    movement = plan(client, headers)
    added = client.post(f"{API}/returns/movements/{movement['id']}/returnees",
                        json={"cases": [case["id"]], "version": movement["version"]},
                        headers=headers)
    assert added.status_code == 200, added.text
    response = client.post(f"{API}/returns/movements/{movement['id']}/manifest",
                           json={"passphrase": PASSPHRASE, "purpose": "handover at Wour"},
                           headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    key = client.get(f"{API}/returns/public-key", headers=headers)
    assert key.status_code == 200
    return {"content": response.content, "registration": registered, "movement": movement,
            "public_key": key.content}


def _members(content: bytes, passphrase: str = PASSPHRASE) -> dict[str, bytes]:
    with pyzipper.AESZipFile(io.BytesIO(content)) as archive:
        archive.setpassword(passphrase.encode())
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_manifest_holds_exactly_the_allowed_fields(exported: dict[str, Any]) -> None:
    members = _members(exported["content"])
    assert sorted(n.rsplit(".", 1)[1] for n in members) == ["pdf", "xlsx"]
    (xlsx,) = [v for k, v in members.items() if k.endswith(".xlsx")]
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    number = exported["registration"]["registration_number"]
    assert rows == [COLUMNS, [number, "محمد أبكر آدم حسب الله",
                              "Mohamed Abakar Adam Hassaballah", "1990-01-01", "LP-TCD-0042"]]
    assert "coordinator" not in str(rows)  # the watermark is in the header, not the cells
    assert sheet.oddHeader.center.text.startswith("Exported by case_manager-TRP-")
    (pdf,) = [v for k, v in members.items() if k.endswith(".pdf")]
    text = pypdfium2.PdfDocument(pdf)[0].get_textpage().get_text_range()
    assert number in text
    assert "LP-TCD-0042" in text
    assert "Exported by case_manager-TRP-" in text
    for absent in ("0925", "مريم", "أبشة"):  # phone, mother's name, place of birth
        assert absent not in text


def test_it_opens_only_with_the_passphrase(exported: dict[str, Any]) -> None:
    with pytest.raises(RuntimeError):
        _members(exported["content"], "a wrong passphrase")
    with pyzipper.AESZipFile(io.BytesIO(exported["content"])) as archive, \
            pytest.raises(RuntimeError):
        archive.read(archive.namelist()[0])


def test_the_signature_fails_after_any_byte_changes(exported: dict[str, Any]) -> None:
    content, key = exported["content"], exported["public_key"]
    assert len(verify(content, key)) == 8
    positions = [0, 30, len(content) // 2, len(content) - 200, len(content) - 129,
                 len(content) - 1, *random.Random(19).sample(range(len(content)), 40)]
    for position in positions:
        changed = bytearray(content)
        changed[position] ^= 0x01
        with pytest.raises(BadSignature):
            verify(bytes(changed), key)
    with pytest.raises(BadSignature):
        verify(content + b"\x00", key)
    with pytest.raises(BadSignature):
        verify(content[1:], key)


def test_the_export_is_audited_with_its_purpose(exported: dict[str, Any],
                                                engine: Engine) -> None:
    with Session(engine) as session:
        events = session.exec(select(AuditEvent).where(
            AuditEvent.action == "returns.manifest.export")).all()
    assert len(events) == 1
    assert events[0].object_id == exported["movement"]["id"]
    assert '"purpose": "handover at Wour"' in str(events[0].details)
