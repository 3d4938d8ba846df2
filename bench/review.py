"""Server time of the keyboard review flow on a demo database: how many pairs a minute it allows.

Builds a fresh SQLite demo database in a temporary directory, as `scripts/start` does
(`ddr init --demo-groups`, `ddr demo-data --persons 300`, `ddr dedupe --registry`), signs in
through the login form, then works through the whole open queue in-process through the ASGI
app, as the browser does it: load a pair side by side (htmx fragment), post the decision by
htmx, and take the next pair from the answer. Decisions follow the demo data's truth (the
synthetic generator is deterministic, and demo registration ids derive from its record ids);
a pair the truth does not cover is decided by band (match: same person, else different).

Prints pairs decided, the server time (Server-Timing) of a decision (the post, which merges or
records, and renders the next pair) and of a side-by-side render, p50 and p95, and the
pairs-per-minute ceiling those server times imply (a reviewer's reading time comes on top).

    .venv/bin/python bench/review.py [--persons 300] [--user admin]
"""

from __future__ import annotations

import argparse
import time
import uuid
from typing import Any

from _demo_web import demo_client, stats
from bs4 import BeautifulSoup

DEMO_SEED = 7  # `ddr demo-data`'s default seed


def _truth(persons: int) -> dict[str, str]:
    """Registration id → true person, rebuilt from the deterministic synthetic generator."""
    from app.demo import DEMO_NAMESPACE
    from synthetic import SyntheticConfig, generate

    _records, truth = generate(SyntheticConfig(n_persons=persons, seed=DEMO_SEED,
                                               registry_valid=True))
    return {str(uuid.uuid5(DEMO_NAMESPACE, f"{DEMO_SEED}:{record_id}")): person
            for record_id, person in truth.items()}


def _server_ms(response: Any) -> float:
    return float(response.headers.get("server-timing", "app;dur=nan").split("dur=")[1])


def _pair(html: str) -> dict[str, str] | None:
    """The pair a side-by-side fragment shows (None: the queue is empty)."""
    section = BeautifulSoup(html, "lxml").select_one("section#pair[data-pair]")
    if section is None:
        return None
    form = section.select_one("#decide-form")
    pos = form.select_one("input[name=pos]") if form else None
    return {"id": str(section["data-pair"]), "version": str(section["data-version"]),
            "band": str(section["data-band"]), "status": str(section["data-status"]),
            "registrations": str(section["data-registrations"]),
            "pos": str(pos["value"]) if pos else "0"}


def main() -> None:
    """Build the demo database, then review every open pair with the keyboard flow."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=300)
    parser.add_argument("--user", default="admin",
                        help="demo account reviewing (admin sees every site)")
    args = parser.parse_args()
    truth = _truth(args.persons)
    with demo_client(args.persons, args.user, dedupe=True) as (client, token):
        htmx = {"X-CSRF-Token": token, "Origin": "http://testserver", "HX-Request": "true"}
        queue = BeautifulSoup(client.get("/review").text, "lxml")
        open_pairs = int(queue.select_one("#queue-total .big").get_text())
        start = queue.select_one("#start-review")
        current = _pair(client.get(str(start["href"]), headers=htmx).text) if start else None
        render_ms: list[float] = []
        decide_ms: list[float] = []
        wall_ms: list[float] = []
        decided = {"same_person": 0, "different_persons": 0}
        by_truth = conflicts = 0
        while current is not None and len(decide_ms) < open_pairs + 50:
            shown = client.get(f"/review/pairs/{current['id']}?pos={current['pos']}",
                               headers=htmx)
            assert shown.status_code == 200, shown.text[:300]
            render_ms.append(_server_ms(shown))
            current = _pair(shown.text) or current
            first, second = current["registrations"].split()
            if first in truth and second in truth:
                by_truth += 1
                same = truth[first] == truth[second]
            else:
                same = current["band"] == "match"
            choice = "same_person" if same else "different_persons"
            started = time.perf_counter()
            answer = client.post(f"/review/pairs/{current['id']}/decision", headers=htmx,
                                 data={"decision": choice, "version": current["version"],
                                       "pos": current["pos"], "reason": ""})
            wall_ms.append((time.perf_counter() - started) * 1000)
            if answer.status_code == 409:
                conflicts += 1
                current = _pair(answer.text)
                continue
            assert answer.status_code == 200, answer.text[:300]
            decide_ms.append(_server_ms(answer))
            decided[choice] += 1
            current = _pair(answer.text)
        after = BeautifulSoup(client.get("/review").text, "lxml")
        remaining = int(after.select_one("#queue-total .big").get_text())
    d50, d95 = stats(decide_ms)
    r50, r95 = stats(render_ms)
    w50, w95 = stats(wall_ms)
    print(f"demo database: {args.persons} persons, {open_pairs} open pairs; reviewer "
          f"{args.user}")
    print(f"pairs decided: {sum(decided.values())} ({decided['same_person']} same person, "
          f"{decided['different_persons']} different; {by_truth} by the demo truth, "
          f"{conflicts} conflicts); {open_pairs - sum(decided.values()) - remaining} more "
          f"settled by those merges, {remaining} left open")
    print(f"{'':40} {'p50':>8} {'p95':>8}  (ms)")
    print(f"{'decision + next pair (server)':40} {d50:8.1f} {d95:8.1f}")
    print(f"{'decision + next pair (client wall)':40} {w50:8.1f} {w95:8.1f}")
    print(f"{'side-by-side render (server)':40} {r50:8.1f} {r95:8.1f}")
    print(f"server-time ceiling: {60_000 / d50:,.0f} pairs/minute at p50, "
          f"{60_000 / d95:,.0f} at p95")


if __name__ == "__main__":
    main()
