"""Answers with a file of the node's store (``models.media_store``), read as it is sent: the
one way the routes serve uploaded files and pictures, whichever store holds them. Callers
decide first who may have the file."""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import Response, StreamingResponse

from models.media_store import store_at


async def stored_file(
    data_dir: Path, key: str, media_type: str, headers: dict[str, str]
) -> Response:
    """404 when the store has no such file (a row whose file is gone answers as if neither
    existed)."""
    opened = await store_at(data_dir).open(key)
    if opened is None:
        raise HTTPException(404)
    headers = {**headers, "Content-Length": str(opened.size)}
    return StreamingResponse(opened.chunks, media_type=media_type, headers=headers)
