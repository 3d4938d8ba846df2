"""The web interface for registration officers (Jinja2 + htmx, Arabic RTL and English)."""

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Mount the web interface's routes and static files on the app."""
