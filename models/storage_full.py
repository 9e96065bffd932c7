"""A database that cannot write for lack of space: how to recognise it, and how to say so in
the log without a traceback per request or per worker cycle."""

from __future__ import annotations

import logging
import time

FULL_MESSAGES = ("database or disk is full", "disk full", "no space left on device")
LOG_EVERY = 60.0  # seconds between two log lines about it


def is_storage_full(exc: BaseException | None) -> bool:
    """A write refused for lack of space: SQLite's "database or disk is full" (SQLITE_FULL)
    and PostgreSQL's disk_full (SQLSTATE 53100), however the driver and the ORM wrap them
    (tortoise re-raises driver errors as its own, with the original as cause or context)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if getattr(exc, "sqlstate", None) == "53100":
            return True
        text = str(exc).lower()
        if any(words in text for words in FULL_MESSAGES):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


class StorageFullLog:
    """One line a minute, counting what it left out."""

    def __init__(self, log: logging.Logger, what: str) -> None:
        self.log, self.what = log, what
        self.logged_at: float | None = None
        self.unlogged = 0

    def report(self, exc: BaseException) -> None:
        at = time.monotonic()
        if self.logged_at is not None and at - self.logged_at < LOG_EVERY:
            self.unlogged += 1
            return
        self.log.error(
            "the database is out of space; %s (%d more times since the last line): %s",
            self.what,
            self.unlogged,
            exc,
        )
        self.logged_at, self.unlogged = at, 0
