"""Replay the issue-21 probe against the log-in: 50 wrong passwords as fast as possible on one
account, then the right one; and a password spray from one address over many names.

Prints how many passwords were actually checked, how many tries were refused unchecked, how
long it took, and whether the right password then got in (it must not: the account is
locked). In-process over real HTTP (the ASGI app), on a fresh SQLite register.

    .venv/bin/python bench/login_abuse.py [--tries 50] [--names 100]
"""

from __future__ import annotations

import argparse
import base64
import logging
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("DDR_PASSWORD_HASHING", "cheapest")

from fastapi.testclient import TestClient  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from app.core.db import session_scope  # noqa: E402
from app.core.migrate import upgrade  # noqa: E402
from app.core.security import SYSTEM  # noqa: E402
from app.core.settings import Settings  # noqa: E402
from app.main import create_app  # noqa: E402
from app.registry import reference  # noqa: E402
from app.users import service as users  # noqa: E402

PASSWORD = "Zawiya-sunrise-41"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tries", type=int, default=50)
    parser.add_argument("--names", type=int, default=100)
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    folder = Path(tempfile.mkdtemp(prefix="ddr-abuse-"))
    url = f"sqlite:///{folder / 'ddr.db'}"
    upgrade(url)
    app = create_app(Settings(env="test", database_url=url,
                              master_key=SecretStr(base64.b64encode(os.urandom(32)).decode()),
                              master_key_file=folder / "unused.key",
                              secret_key=SecretStr(base64.b64encode(os.urandom(24)).decode())))
    with session_scope(app.state.engine) as session:
        reference.ensure_default_sites(session=session)
        users.create_user(session=session, actor=SYSTEM, username="officer.trp",
                          password=PASSWORD, role="registration_officer", sites=["TRP"])
    with TestClient(app) as client:
        started = time.perf_counter()
        answers = Counter(client.post("/api/v1/auth/token", data={
            "username": "officer.trp", "password": f"wrong-guess-{i}"}).status_code
            for i in range(args.tries))
        elapsed = time.perf_counter() - started
        right = client.post("/api/v1/auth/token",
                            data={"username": "officer.trp", "password": PASSWORD})
        print(f"{args.tries} wrong passwords on one account in {elapsed:.2f} s: "
              f"{answers[401]} checked (401), {answers[429]} refused unchecked (429); "
              f"then the right password: {right.status_code} "
              f"({right.json()['detail'] if right.status_code != 200 else 'logged in'})")
    with TestClient(app) as client:  # a fresh address window is not needed: same address
        started = time.perf_counter()
        spray = Counter(client.post("/api/v1/auth/token", data={
            "username": f"user{i}", "password": "Summer2026!"}).status_code
            for i in range(args.names))
        elapsed = time.perf_counter() - started
        print(f"spray of one password over {args.names} names from one address in "
              f"{elapsed:.2f} s: {spray[401]} checked, {spray[429]} refused unchecked")
    app.state.engine.dispose()


if __name__ == "__main__":
    main()
