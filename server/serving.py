"""Running the web server: one process, or ``--workers N`` processes on one port.

Each of the N processes binds the port itself with ``SO_REUSEPORT`` (hypercorn sets it when
told of several workers), so the kernel spreads connections among them; a crashed one takes
only its own connections down. The parent checks the port and the migrations once, starts
the processes, and stops them on SIGTERM or Ctrl-C. Only the first process runs the queues
(inbox, deliveries, mail): the others serve requests alone, so nothing is claimed N times.

Several processes need PostgreSQL. SQLite is refused: its WAL lets one writer at a time, and
a transaction that has read and then writes fails at once ("database is locked", the busy
timeout does not help) when another process wrote in between; one process serialises its own
transactions, several would fail each other's."""

from __future__ import annotations

import asyncio
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
from dataclasses import replace
from types import FrameType

from hypercorn.asyncio import serve
from hypercorn.config import Config

from models import db
from models.config import Settings

PR_SET_PDEATHSIG = 1


def default_workers(settings: Settings) -> int:
    return 1 if settings.is_sqlite else os.cpu_count() or 1


def hypercorn_config(host: str, port: int, workers: int, access_log: bool) -> Config:
    config = Config()
    config.bind = [f"{host}:{port}"]
    config.workers = workers  # only read for SO_REUSEPORT: each process serves on its own
    config.accesslog = "-" if access_log else None
    # hypercorn's own "-" error log also propagates to the root handler (every line twice);
    # a logger of ours at INFO goes through the root handler once.
    server_log = logging.getLogger("jumelage.http")
    server_log.setLevel(logging.INFO)
    config.errorlog = server_log
    return config


def run_one(settings: Settings, config: Config) -> None:
    from server.app import create_app

    asyncio.run(serve(create_app(settings), config))  # type: ignore[arg-type]


async def pending_migrations(settings: Settings) -> list[str]:
    await db.connect(settings)
    try:
        return await db.pending_migrations(settings)
    finally:
        await db.close()


def _die_with_parent() -> None:
    """Linux's parent-death signal: a parent killed outright takes its processes along, so no
    orphan keeps the port."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _child(settings: Settings, host: str, port: int, workers: int, runs_queues: bool) -> None:
    """One of the N processes: serves until SIGTERM or SIGINT, then shuts down cleanly."""
    from server.app import create_app

    _die_with_parent()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not runs_queues:
        settings = replace(settings, inline_worker=False, smtp_url="")
    config = hypercorn_config(host, port, workers, settings.access_log)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(create_app(settings), config, shutdown_trigger=stop.wait)  # type: ignore[arg-type]

    asyncio.run(main())


def run_many(settings: Settings, host: str, port: int, workers: int) -> int:
    """Starts the processes and waits; the exit status is the first failing one's."""
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_child, args=(settings, host, port, workers, n == 0))
        for n in range(workers)
    ]

    def stop(signum: int, frame: FrameType | None) -> None:
        for process in processes:
            if process.is_alive():
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    codes = [p.exitcode or 0 for p in processes]
    return next((c for c in codes if c not in (0, -signal.SIGTERM)), 0)
