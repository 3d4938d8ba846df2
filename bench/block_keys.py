"""Which blocking keys earn their place: the online check's ranking simulated on a synthetic
stream, with kinds of key left out or large blocks left out.

For each registration of the stream (in order), the registrations before it that share a
blocking key are ranked as `app.dedup.service` ranks candidates (the sum, over the shared
blocks, of one over the block's size; the best 100); a re-registration is found when a
registration of the same person is among them. Prints, per variant, the block rows per
registration, the re-registrations found, the candidates and block members read per
registration, and the largest block. In memory, no database: a measure of the keys, not of
the speed.

    .venv/bin/python bench/block_keys.py [--rows 100000] [--seed 23] [VARIANT ...]

A variant is `KIND,KIND/LIMIT` (kinds left out, then an optional block limit), e.g.
`id,idy,phf,php/100`; "" is every key. The default variants are those of ADR 0011.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
from collections import defaultdict

from app.dedup.service import MAX_CANDIDATES
from matching import blocking_keys
from synthetic import SyntheticConfig, iter_records, persons_for_records

DEFAULT = ["", "id,idy,phf,php", "id,idy,phf,php,dn", "id,idy,phf,php,dp",
           "id,idy,phf,php,gf", "id,idy,phf,php/25", "id,idy,phf,php/50",
           "id,idy,phf,php/100", "id,idy,phf,php/200"]


def simulate(stream: list[tuple[list[str], str]], left_out: frozenset[str],
             limit: int | None) -> str:
    """One variant's figures."""
    blocks: dict[str, list[int]] = defaultdict(list)
    seen: dict[str, list[int]] = {}
    wanted = found = rows = members = candidates = 0
    for number, (all_keys, person) in enumerate(stream):
        keys = [k for k in all_keys if k.partition(":")[0] not in left_out]
        rows += len(keys)
        rank: dict[int, float] = defaultdict(float)
        for key in keys:
            block = blocks.get(key)
            if not block or (limit is not None and len(block) > limit):
                continue
            members += len(block)
            for other in block:
                rank[other] += 1.0 / len(block)
        best = {o for o, _ in heapq.nsmallest(MAX_CANDIDATES, rank.items(),
                                              key=lambda item: (-item[1], item[0]))}
        candidates += len(best)
        earlier = seen.get(person)
        if earlier:
            wanted += 1
            found += bool(best & set(earlier))
        for key in keys:
            blocks[key].append(number)
        seen.setdefault(person, []).append(number)
    n = len(stream)
    return (f"rows/registration {rows / n:5.2f}  found {found:,} of {wanted:,}  "
            f"candidates/registration {candidates / n:5.1f}  members read/registration "
            f"{members / n:6.1f}  largest block {max(len(b) for b in blocks.values())}")


def main() -> None:
    """Parse arguments and print every variant's figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("variants", nargs="*", default=DEFAULT)
    args = parser.parse_args()
    config = SyntheticConfig(n_persons=int(persons_for_records(args.rows) * 1.05),
                             seed=args.seed, registry_valid=True)
    stream = [(blocking_keys(record), person)
              for record, person in itertools.islice(iter_records(config), args.rows)]
    for variant in args.variants:
        kinds, _, limit = variant.partition("/")
        left_out = frozenset(k for k in kinds.split(",") if k)
        print(f"{variant or 'every key':24s} "
              f"{simulate(stream, left_out, int(limit) if limit else None)}", flush=True)


if __name__ == "__main__":
    main()
