"""Counting the SQL statements a piece of work sends to the database, on SQLite and PostgreSQL
alike.

Every tortoise client (SQLite, asyncpg, and the transactions they open) logs each statement it
sends, with its parameters, on the ``tortoise.db_client`` logger at DEBUG level, and logs
nothing else there but opening and closing connections. Listening to that logger counts what
really goes to the driver without wrapping any client: nothing in the code under test changes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

LOGGER = "tortoise.db_client"
# What tortoise logs there that is not a statement.
_NOT_STATEMENTS = ("Created connection", "Closed connection")


@dataclass
class Statements(logging.Handler):
    """The statements seen while counting, in order."""

    sql: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        logging.Handler.__init__(self, logging.DEBUG)

    def emit(self, record: logging.LogRecord) -> None:
        text = str(record.msg)
        if text.startswith(_NOT_STATEMENTS):
            return
        query = record.args[0] if text == "%s: %s" and record.args else text
        self.sql.append(str(query))

    def __len__(self) -> int:
        return len(self.sql)

    def __hash__(self) -> int:  # logging keeps handlers in sets
        return id(self)


@contextmanager
def counting() -> Iterator[Statements]:
    """Counts the statements sent while the block runs (the logger goes back as it was)."""
    logger = logging.getLogger(LOGGER)
    seen = Statements()
    level, propagate = logger.level, logger.propagate
    logger.addHandler(seen)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield seen
    finally:
        logger.removeHandler(seen)
        logger.setLevel(level)
        logger.propagate = propagate


async def queries_of(
    client: httpx.AsyncClient, path: str, headers: dict[str, str] | None = None
) -> tuple[int, httpx.Response]:
    """How many statements serving one GET of ``path`` sends, and the answer (a 200)."""
    with counting() as seen:
        answer = await client.get(path, headers=headers)
    assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    return len(seen), answer
