"""Returns per country of origin and stage in the committee's statistics: the returns board's
counts, one table per stage (stages overlap), under the same suppression, in every output."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.core.db import session_scope
from exports import writers
from exports.catalogue import RETURN_STAGE_TITLES, SPECS, return_population
from exports.service import compute
from exports.tables import TOTAL
from reintegration.returns.board import STAGES, counts_by_country
from tests.reintegration.returns.conftest import fighter, hand_over


def test_returns_by_country_and_stage(client: TestClient, engine: Engine,
                                      people: dict[str, dict[str, str]]) -> None:
    assert tuple(RETURN_STAGE_TITLES) == STAGES
    registered = [fighter(client, people["officer"], given_name=name, name_other_script=None)
                  for name in ("Issa", "Ali", "Hassan", "Moussa", "Adam", "Yaya")]
    hand_over(client, people["coordinator"], registered[0]["person_id"])
    with session_scope(engine) as session:
        board = counts_by_country(session)
        stats = compute(session=session, threshold=5)

    for stage in STAGES:  # each stage's table is the board's counts
        table = stats.tables[return_population(stage)]
        assert SPECS[table.name].dimensions == ("country",)
        assert {k[0]: n for k, n in table.counts.items()} == {
            country: figures[stage] for country, figures in board.items() if figures[stage]}
    assert board["TCD"]["registered"] == 6
    assert board["TCD"]["handed_over"] == 1
    registered_view = stats.view(return_population("registered"))
    assert {r["country"]: r["count"] for r in registered_view["rows"]} == {"TCD": 6, TOTAL: 6}
    handed = stats.view(return_population("handed_over"))["rows"]
    assert all(r["count"] is None and r["suppressed"] for r in handed)  # 1: hidden, total too

    published = json.loads(writers.write(stats, "json"))
    names = [t["name"] for t in published["tables"]]
    assert all(return_population(stage) in names for stage in STAGES)
    page = writers.table_csv(stats, registered_view).splitlines()
    assert page[1] == "#country+code,#indicator+returnees+registered+num"
    assert page[2:] == ["TCD,6", "TOTAL,6"]
