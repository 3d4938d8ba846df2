"""Clustering records into persons over match pairs, respecting cannot-link decisions."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["cluster"]


def cluster(
    record_ids: Iterable[str],
    match_pairs: Iterable[tuple[str, str]],
    cannot_link: Iterable[tuple[str, str]] = (),
) -> dict[str, str]:
    """Group records into clusters: connected components that never join a cannot-link pair.

    Match pairs are taken in the order given (pass them strongest first); an edge is skipped
    when joining its two components would put a cannot-link pair in one cluster.

    Args:
        record_ids: Every record to cluster (each ends up in exactly one cluster).
        match_pairs: Pairs judged the same person, strongest first.
        cannot_link: Pairs judged different persons; never placed in one cluster.

    Returns:
        record_id → cluster_id, where the cluster id is the smallest record id in the cluster.

    >>> cluster(["a", "b", "c"], [("a", "b"), ("b", "c")], cannot_link=[("a", "c")])
    {'a': 'a', 'b': 'a', 'c': 'c'}
    """
    parent: dict[str, str] = {r: r for r in record_ids}
    forbidden: dict[str, set[str]] = {}

    def find(node: str) -> str:
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    for a, b in cannot_link:
        if a in parent and b in parent and a != b:
            forbidden.setdefault(a, set()).add(b)
            forbidden.setdefault(b, set()).add(a)
    # forbidden is kept per root: the roots a component may never join.
    blocked: dict[str, set[str]] = {k: set(v) for k, v in forbidden.items()}
    for a, b in match_pairs:
        if a not in parent or b not in parent:
            continue
        root_a, root_b = find(a), find(b)
        if root_a == root_b or root_b in blocked.get(root_a, ()):
            continue
        keep, drop = (root_a, root_b) if root_a < root_b else (root_b, root_a)
        parent[drop] = keep
        merged = blocked.pop(keep, set()) | blocked.pop(drop, set())
        if merged:
            merged = {find(n) for n in merged}
            blocked[keep] = merged
            for other in merged:
                peers = blocked.setdefault(other, set())
                peers.discard(drop)
                peers.add(keep)
    return {r: find(r) for r in parent}
