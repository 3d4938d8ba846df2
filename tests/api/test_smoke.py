"""The basic path: log in, register, read back."""

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.factories import registration_body, user_headers


def test_register_and_read_back(client: TestClient, engine: Engine) -> None:
    headers = user_headers(client, engine, "registration_officer", ["TRP"])
    body = registration_body()
    created = client.post("/api/v1/registrations", json=body, headers=headers)
    assert created.status_code == 201, created.text
    data = created.json()
    assert data["registration_number"].startswith("TRP-")
    assert data["is_child"] is False
    assert data["possible_duplicates"] == []
    read = client.get(f"/api/v1/registrations/{data['id']}", headers=headers)
    assert read.status_code == 200, read.text
    fields = read.json()["fields"]
    assert fields["given_name"] == "محمد"
    assert fields["phone"] == "+218912345678"
