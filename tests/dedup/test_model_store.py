"""Model versions trained on reviewed decisions: stored inactive, activated by an admin."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.core.db import session_scope
from app.dedup import model_store
from app.dedup.models import MatchModelVersion
from matching import load_model
from tests.factories import LATIN_BODY, register

API = "/api/v1/matching"


def store_version(engine: Engine, version: str) -> None:
    body = {**load_model().to_json(), "version": version}
    report = {"before": {"precision": 0.9, "recall": 0.8, "f1": 0.847},
              "after": {"precision": 0.95, "recall": 0.85, "f1": 0.897},
              "train_pairs": 80, "holdout_pairs": 20}
    with session_scope(engine) as session:
        session.add(MatchModelVersion(version=version, body=json.dumps(body),
                                      report=json.dumps(report)))


def test_an_activated_version_scores_new_pairs(
    client: TestClient, engine: Engine, reviewers: dict[str, dict[str, str]]
) -> None:
    store_version(engine, "ddr-lr-1+reviewed.test")
    admin = reviewers["admin"]
    listed = client.get(f"{API}/models", headers=admin).json()
    assert [(m["version"], m["active"]) for m in listed] == [("ddr-lr-1+reviewed.test", False)]
    assert listed[0]["report"]["after"]["f1"] == 0.897
    register(client, admin)
    before: dict[str, Any] = register(client, admin, **LATIN_BODY)
    assert before["possible_duplicates"][0]["model_version"] == load_model().version

    assert client.post(f"{API}/models/nope/activate", headers=admin).status_code == 404
    assert client.post(f"{API}/models/ddr-lr-1+reviewed.test/activate",
                       headers=reviewers["supervisor"]).status_code == 403
    activated = client.post(f"{API}/models/ddr-lr-1+reviewed.test/activate", headers=admin)
    assert activated.status_code == 204
    assert client.get(f"{API}/models", headers=admin).json()[0]["active"] is True
    after = register(client, admin, **{**LATIN_BODY, "site": "MIS"})
    assert {c["model_version"] for c in after["possible_duplicates"]} == {
        "ddr-lr-1+reviewed.test"}
    back = client.post(f"{API}/models/configured/activate", headers=admin)
    assert back.status_code == 204
    with session_scope(engine) as session:
        assert model_store.active_model(session, None) is None
