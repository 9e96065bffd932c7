"""The baseline of ``bench.http``: a bare Starlette app answering a 1 KB JSON document, served
by hypercorn configured as ``jumelage serve`` configures it (one process, access log on).

    python -m bench.bare PORT
"""

from __future__ import annotations

import asyncio
import logging
import sys

from hypercorn.asyncio import serve
from hypercorn.config import Config
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

DOCUMENT = {"items": [{"id": n, "text": "x" * 40} for n in range(18)]}  # about 1 KB


async def document(request: Request) -> Response:
    return JSONResponse(DOCUMENT)


app = Starlette(routes=[Route("/", document)])


def main() -> None:
    config = Config()
    config.bind = [f"127.0.0.1:{sys.argv[1]}"]
    config.accesslog = "-"
    log = logging.getLogger("bench.bare")
    log.setLevel(logging.INFO)
    config.errorlog = log
    asyncio.run(serve(app, config))  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
