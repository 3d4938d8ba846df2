"""Registration throughput and latency over HTTP against a running server.

Starts `ddr serve` on a fresh database — a SQLite file in a temporary folder, or the
PostgreSQL database given with `--database-url` (its schema is dropped and created again) —
holding `--registry` synthetic persons (registered as officers would, by `ddr demo-data`),
then posts new
synthetic registrations (realistic names, some of them duplicates of registered people) from
N concurrent clients, with the online duplicate check each registration runs, and prints
registrations/second and p50/p95/p99 latency.

    .venv/bin/python bench/registration.py [--clients 16 2] [--seconds 20] [--registry 5000]
        [--workers 1] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
import psutil
from sqlalchemy import create_engine, text

from synthetic import SyntheticConfig, generate

INPUT_FIELDS = ("site", "category", "sex", "date_of_birth", "given_name", "father_name",
                "grandfather_name", "family_name", "mother_name", "alias", "place_of_birth",
                "nationality", "phone", "national_id", "passport_no", "armed_group")

PASSWORD = "Zawiya-sunrise-41-desk"


def start_server(folder: Path, port: int, workers: int, persons: int, database_url: str | None
                 ) -> subprocess.Popen[bytes]:
    """Initialise a database and start the server; return the process."""
    if database_url:
        engine = create_engine(database_url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    env = {**os.environ, "DDR_ENV": "development", "DDR_LOG_LEVEL": "WARNING",
           "DDR_DATABASE_URL": database_url or f"sqlite:///{folder}/ddr.db"}
    ddr = [sys.executable, "-m", "app.cli"]
    subprocess.run([*ddr, "init", "--demo-groups"], cwd=folder, env=env, check=True,
                   capture_output=True)
    subprocess.run([*ddr, "users", "create", "--username", "bench", "--role", "admin",
                    "--password-stdin"], input=PASSWORD.encode(), cwd=folder, env=env,
                   check=True, capture_output=True)
    if persons:
        subprocess.run([*ddr, "demo-data", "--persons", str(persons), "--no-users", "--seed", "1"],
                       cwd=folder, env=env, check=True, capture_output=True)
    return subprocess.Popen([*ddr, "serve", "--port", str(port), "--workers", str(workers)],
                            cwd=folder, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


BODIES: list[dict[str, object]] = []


def load_bodies(count: int) -> None:
    """Synthetic registrations (another seed than the registry's) as API bodies."""
    records, _truth = generate(SyntheticConfig(n_persons=count, seed=99, registry_valid=True))
    for record in records:
        body: dict[str, object] = {k: record[k] or None for k in INPUT_FIELDS}
        body["consent"] = True
        if body["category"] == "child":
            # Generated ages are as of 2025; the server decides from today who is a child.
            body["category"] = "associated_civilian"
        BODIES.append(body)


def body(i: int) -> dict[str, object]:
    """The i-th synthetic registration with a new client UUID."""
    return {**BODIES[i % len(BODIES)], "id": str(uuid.uuid4())}


async def client_loop(http: aiohttp.ClientSession, headers: dict[str, str], deadline: float,
                      counter: list[int], latencies: list[float], errors: list[int]) -> None:
    """Post registrations until the deadline."""
    while time.perf_counter() < deadline:
        counter[0] += 1
        started = time.perf_counter()
        async with http.post("/api/v1/registrations", json=body(counter[0]),
                             headers=headers) as response:
            await response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 201:
            errors.append(response.status)


def _cpu(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def postgres_processes() -> list[psutil.Process]:
    """The PostgreSQL server's processes on this machine (its backends and helpers)."""
    return [p for p in psutil.process_iter(["name"]) if p.info["name"] == "postgres"]


def cpu_seconds(server: psutil.Process) -> tuple[float, float, float]:
    """CPU seconds used so far by this process (the clients), by the server's processes and by
    the PostgreSQL server's (0 on SQLite: it runs inside the server's processes)."""
    return (time.process_time(), _cpu([server, *server.children(recursive=True)]),
            _cpu(postgres_processes()))


def connections_per_worker(server: psutil.Process, port: int) -> str:
    """How the clients' open connections to `port` are spread over the server's worker
    processes (their connections to PostgreSQL not counted)."""
    counts = []
    for process in server.children(recursive=True):
        try:
            counts.append(sum(1 for c in process.net_connections("tcp")
                              if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port))
        except psutil.NoSuchProcess:
            continue
    return "/".join(str(c) for c in sorted(counts, reverse=True) if c) or "none"


async def workers_started(server: psutil.Process, workers: int) -> None:
    """Wait until each of the server's worker processes has finished starting (its CPU time
    stands still): clients that connect while one is still importing the application all go
    to the others, and keep their connections."""
    if workers < 2:
        return
    previous: dict[int, float] = {}
    for _ in range(240):
        await asyncio.sleep(0.5)
        children = server.children(recursive=True)
        current = {p.pid: _cpu([p]) for p in children}
        if len(current) >= workers and current.keys() == previous.keys() and all(
                current[pid] - previous[pid] < 0.02 for pid in current):
            return
        previous = current


async def run(base: str, clients: int, seconds: float, workers: int,
              server: psutil.Process, database: str) -> None:
    """Warm up, then measure."""
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(base_url=base, connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=30)) as http:
        started = time.perf_counter()
        while time.perf_counter() - started < 120:  # a loaded machine starts it slowly
            try:
                async with http.get("/health") as health:
                    if health.status == 200:
                        break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.2)
        await workers_started(server, workers)
        async with http.post("/api/v1/auth/token",
                             data={"username": "bench", "password": PASSWORD}) as response:
            if response.status != 200:
                raise SystemExit(f"log-in failed: {response.status} {await response.text()}")
            headers = {"Authorization": f"Bearer {(await response.json())['access_token']}"}
        counter, errors = [0], []
        warm: list[float] = []
        await asyncio.gather(*(client_loop(http, headers, time.perf_counter() + 2, counter, warm,
                                           errors) for _ in range(clients)))
        latencies: list[float] = []
        cpu_before = cpu_seconds(server)
        start = time.perf_counter()
        await asyncio.gather(*(client_loop(http, headers, start + seconds, counter, latencies,
                                           errors) for _ in range(clients)))
        split = connections_per_worker(server, int(base.rsplit(":", 1)[1]))
        elapsed = time.perf_counter() - start
        cpu_after = cpu_seconds(server)
    cuts = statistics.quantiles(latencies, n=100)
    print(f"database={database} clients={clients} workers={workers} seconds={elapsed:.1f} "
          f"registrations={len(latencies)} errors={len(errors)}")
    print(f"throughput: {len(latencies) / elapsed:.0f} registrations/s")
    print(f"client connections per worker process at the end: {split}")
    print(f"latency ms: p50={cuts[49] * 1000:.1f} p95={cuts[94] * 1000:.1f} "
          f"p99={cuts[98] * 1000:.1f}")
    client_cpu, server_cpu, database_cpu = (
        after - before for after, before in zip(cpu_after, cpu_before, strict=True))
    per = 1000 / len(latencies)
    print(f"cpu per registration: server {server_cpu * per:.1f} ms, "
          f"database server {database_cpu * per:.1f} ms, clients {client_cpu * per:.1f} ms "
          f"(server {server_cpu / elapsed:.2f}, database {database_cpu / elapsed:.2f} cores "
          f"busy of {os.cpu_count()})")


def main() -> None:
    """Parse arguments, run the benchmark, stop the server."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, nargs="+", default=[16],
                        help="concurrent clients; several counts run one after the other "
                             "against the same server")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=1,
                        help="ddr serve worker processes (SQLite: keep 1, see docs/adr/0001)")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--registry", type=int, default=5000,
                        help="synthetic persons registered before measuring")
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL database to use (emptied first); default: SQLite")
    args = parser.parse_args()
    load_bodies(20_000)
    if not args.port:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            args.port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as folder:
        server = start_server(Path(folder), args.port, args.workers, args.registry,
                              args.database_url)
        database = "postgresql" if args.database_url else "sqlite"
        try:
            for clients in args.clients:
                asyncio.run(run(f"http://127.0.0.1:{args.port}", clients, args.seconds,
                                args.workers, psutil.Process(server.pid), database))
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
