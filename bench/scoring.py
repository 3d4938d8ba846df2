"""Online scoring time per call: one record against 1, 5, 20 and 100 candidates.

Times :func:`matching.score_candidates` (what every registration and candidate lookup runs
after decrypting its candidates) on synthetic registrations, each call with another record
and other candidates, and prints the median and p95 per call size.

    .venv/bin/python bench/scoring.py [--sizes 1 5 20 100] [--calls 200]
        [--no-explain-non-matches]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from matching import score_candidates
from synthetic import SyntheticConfig, generate


def main() -> None:
    """Time score_candidates per number of candidates."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 5, 20, 100])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--explain-non-matches", action=argparse.BooleanOptionalAction,
                        default=True, help="explain non_match pairs too (registration does not)")
    args = parser.parse_args()
    records, _truth = generate(SyntheticConfig(n_persons=20_000, seed=5))
    rng = random.Random(1)
    score_candidates(records[0], records[1:3])  # load the model
    for size in args.sizes:
        times = []
        for _ in range(args.calls):
            start = rng.randrange(len(records) - size - 1)
            record, candidates = records[start], records[start + 1:start + 1 + size]
            began = time.perf_counter()
            score_candidates(record, candidates, explain_non_matches=args.explain_non_matches)
            times.append((time.perf_counter() - began) * 1000)
        cuts = statistics.quantiles(times, n=20)
        print(f"{size:>4} candidates: median {statistics.median(times):6.2f} ms  "
              f"p95 {cuts[18]:6.2f} ms  ({args.calls} calls)")


if __name__ == "__main__":
    main()
