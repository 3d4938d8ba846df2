"""Clustering over match pairs with cannot-link decisions."""

from __future__ import annotations

import pytest

from matching import cluster


def test_connected_components() -> None:
    result = cluster(["a", "b", "c", "d"], [("a", "b"), ("b", "c")])
    assert result == {"a": "a", "b": "a", "c": "a", "d": "d"}


@pytest.mark.parametrize(
    ("pairs", "cannot", "apart"),
    [
        ([("a", "b"), ("b", "c")], [("a", "c")], ("a", "c")),
        ([("b", "c"), ("a", "b")], [("a", "c")], ("a", "c")),
        ([("a", "b"), ("c", "d"), ("b", "c")], [("a", "d")], ("a", "d")),
        ([("a", "b"), ("c", "d"), ("b", "d"), ("a", "c")], [("b", "c")], ("b", "c")),
    ],
    ids=["chain", "chain-reversed", "via-components", "cycle"],
)
def test_cannot_link_never_shares_a_cluster(
    pairs: list[tuple[str, str]], cannot: list[tuple[str, str]], apart: tuple[str, str]
) -> None:
    result = cluster(["a", "b", "c", "d"], pairs, cannot)
    assert result[apart[0]] != result[apart[1]]
    for a, b in cannot:
        assert result[a] != result[b]


def test_strongest_edges_win_when_pairs_are_ordered() -> None:
    result = cluster(["a", "b", "c"], [("b", "c"), ("a", "b")], [("a", "c")])
    assert result["b"] == result["c"] != result["a"]


def test_every_record_gets_a_cluster_and_unknown_ids_are_ignored() -> None:
    result = cluster(["x", "y"], [("x", "zzz")], [("y", "zzz")])
    assert result == {"x": "x", "y": "y"}
