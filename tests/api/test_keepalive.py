"""Connections are closed after `DDR_KEEPALIVE_REQUESTS` requests (clients spread again over
worker processes)."""

from __future__ import annotations

import socket

import pytest

from app.core.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Connections closed after three requests (the default is 100)."""
    return settings.model_copy(update={"keepalive_requests": 3})


def test_a_connection_is_closed_after_keepalive_requests(live_server: str) -> None:
    """Over real HTTP (uvicorn): the third answer on a connection says `Connection: close`
    and the service closes it; a new connection is served as usual."""
    host, port = live_server.removeprefix("http://").split(":")
    request = f"GET /health HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    for _connection in range(2):
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            stream = sock.makefile("rb")
            closes = []
            for _ in range(3):
                sock.sendall(request)
                assert stream.readline().startswith(b"HTTP/1.1 200")
                headers = {}
                while (line := stream.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode().partition(":")
                    headers[name.strip().lower()] = value.strip()
                stream.read(int(headers["content-length"]))
                closes.append(headers.get("connection"))
            assert closes == [None, None, "close"]
            assert stream.read() == b""  # closed by the service
