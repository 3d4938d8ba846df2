"""Server-side render time of the main web pages on a demo database (target: < 100 ms).

Builds a fresh SQLite demo database (`ddr init` + `ddr demo-data --persons 300`) in a temporary
directory, signs in as officer.trp through the login form, and requests each page N times
through the ASGI app. Prints the median and p95 of the server's own timing (Server-Timing
header) and of the wall time seen by the client.

    .venv/bin/python bench/web_pages.py [--persons 300] [--repeat 40]
"""

from __future__ import annotations

import argparse
import time
import uuid

from _demo_web import demo_client, stats
from bs4 import BeautifulSoup


def main() -> None:
    """Build the demo database, then time each page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    with demo_client(args.persons, "officer.trp") as (client, token):
        headers = {"X-CSRF-Token": token, "Origin": "http://testserver"}
        htmx = {**headers, "HX-Request": "true"}
        # A few registrations today, so the home page lists some.
        for i in range(10):
            client.post("/registrations", headers=headers, data={
                "csrf_token": token, "id": str(uuid.uuid4()), "site": "TRP",
                "category": "libyan_combatant", "sex": "M", "date_of_birth": "1990",
                "nationality": "LBY", "given_name": "سالم", "father_name": f"عمر{i}",
                "family_name": "المصراتي", "consent": "yes"})
        found = client.post("/search", data={"q": "محمد"}, headers=htmx)
        link = BeautifulSoup(found.text, "lxml").select_one("tbody a")
        assert link is not None, "demo data has no محمد"
        person_url = str(link["href"])
        draft = {"given_name": "Mohamed", "father_name": "Ali", "family_name": "Warfalli",
                 "date_of_birth": "1988-03-02", "sex": "M", "nationality": "LBY",
                 "national_id": "119880123456", "phone": "0912345678"}
        pages = [
            ("GET  /login (anonymous)", lambda: client.get("/login", cookies={})),
            ("GET  / (officer home)", lambda: client.get("/")),
            ("GET  /registrations/new", lambda: client.get("/registrations/new")),
            ("POST /search name (htmx)",
             lambda: client.post("/search", data={"q": "محمد"}, headers=htmx)),
            ("POST /search national id (htmx)",
             lambda: client.post("/search", data={"q": "119880123456"}, headers=htmx)),
            ("POST /registrations/check (htmx)",
             lambda: client.post("/registrations/check", data=draft, headers=htmx)),
            ("GET  /persons/{id}", lambda: client.get(person_url)),
        ]
        print(f"demo database: {args.persons} persons; {args.repeat} requests per page")
        print(f"{'page':36} {'server p50':>10} {'p95':>8} {'wall p50':>9} {'p95':>8}  (ms)")
        for name, call in pages:
            server, wall = [], []
            for _ in range(args.repeat):
                started = time.perf_counter()
                response = call()
                wall.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (name, response.status_code)
                timing = response.headers.get("server-timing", "app;dur=nan")
                server.append(float(timing.split("dur=")[1]))
            s50, s95 = stats(server)
            w50, w95 = stats(wall)
            print(f"{name:36} {s50:10.1f} {s95:8.1f} {w50:9.1f} {w95:8.1f}")


if __name__ == "__main__":
    main()
