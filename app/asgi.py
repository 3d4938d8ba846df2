"""ASGI entry point for servers: `uvicorn app.asgi:app` (what each worker process of
`ddr serve` runs)."""

import os

from app.core.settings import get_settings
from app.main import create_app

app = create_app()

if app.state.writer is not None:
    # Under `ddr serve` with a writer process: every registration waits for that one process,
    # so when the cores are all busy it runs first (the workers take a lower CPU priority).
    os.nice(get_settings().worker_niceness)
