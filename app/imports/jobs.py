"""Imports run outside the request that starts them: a thread of the server process per job.

The request that confirms a job only queues it (:func:`app.imports.service.confirm`) and
commits; the thread then runs it a batch per transaction, each batch's counts committed with
its rows, which the job page polls. A server stopped mid-job leaves the job `running` with an
old heartbeat (the page says it stopped); importing the file again completes it, skipping the
rows already stored.
"""

from __future__ import annotations

import logging
import threading
import uuid

from sqlalchemy.engine import Engine

from app.core.crypto import FieldCrypto
from app.core.security import Principal
from app.imports.reader import UnreadableFile
from app.imports.service import run
from matching import MatchModel

log = logging.getLogger(__name__)


def start(*, engine: Engine, crypto: FieldCrypto, actor: Principal, job_id: uuid.UUID,
          model: MatchModel | None) -> threading.Thread:
    """Run a queued job in a thread of its own; return the thread."""
    thread = threading.Thread(target=_run, name=f"import-{job_id}", daemon=True,
                              args=(engine, crypto, actor, job_id, model))
    thread.start()
    return thread


def _run(engine: Engine, crypto: FieldCrypto, actor: Principal, job_id: uuid.UUID,
         model: MatchModel | None) -> None:
    try:
        run(engine=engine, crypto=crypto, actor=actor, job_id=job_id, model=model)
    except UnreadableFile:
        log.info("import %s: the file could not be read to the end", job_id)
    except Exception as exc:  # the job is marked failed; the log names no value of the file
        log.error("import %s failed: %s", job_id, exc.__class__.__name__)
