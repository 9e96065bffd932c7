"""Where the bytes of uploaded files and of actors' pictures live: the one seam between the
application and its storage. Nothing else opens the media folders or speaks to S3.

Two stores answer the same small interface, with keys ``media/<name>`` and
``pictures/<name>`` (the same relative paths in both, so a backup of one restores into the
other):

- ``LocalStore``, the default: files under the data directory, written through a temporary
  file so that a reader never sees half of one;
- ``S3Store``, for several machines (``JUMELAGE_MEDIA_URL=s3://bucket/prefix``): objects in an
  S3-compatible bucket (AWS, MinIO, Garage, Ceph...), reached with obstore. obstore wraps the
  Rust ``object_store`` crate of Apache Arrow: one small wheel without dependencies, native
  asyncio, streaming reads, retries with backoff; aiobotocore would bring botocore, pinned to
  exact versions, for the four calls used here.

Files are never served from the bucket directly: every read goes through our routes, after
the visibility rule for attached files (``server.api.media``). Signed URLs were the
alternative; they would outlive a deletion or a member's leaving for their lifetime, need a
bucket reachable by every reader and a second code path, while proxying keeps one rule, one
set of cache headers and a private bucket.

Every process of a node (``serve``, ``worker``, the CLI) builds the same store from its
settings (``models.config`` calls ``configure``); code that only knows the data directory, as
the models' functions do, asks ``store_at`` for it."""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
import os
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from models.errors import N_, ModelError

log = logging.getLogger(__name__)
FOLDERS = ("media", "pictures")  # what a store holds; the rest of the data dir stays local
PROBE = "probe"
_KEY = re.compile(r"^(media|pictures|probe)/[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$")
CHUNK = 256 * 1024


class StoreUnavailable(ModelError):
    """The store cannot be reached or refuses the request (a wrong bucket, bad credentials):
    the request may be tried again once the admin has fixed it; the detail goes to the log
    through ``detail``."""

    status = 503

    def __init__(self, detail: str) -> None:
        super().__init__("file", N_("the file store cannot be reached; try again later"))
        self.detail = detail


@dataclass
class StoredFile:
    """An open file: its size (for Content-Length) and its bytes, read as they are sent."""

    size: int
    chunks: AsyncIterator[bytes]


def check_key(key: str) -> str:
    """Keys are made by this program; one that is not of its shape is a bug, not input."""
    if not _KEY.match(key) or ".." in key:
        raise ValueError(f"not a media key: {key!r}")
    return key


class MediaStore(abc.ABC):
    description: str

    @abc.abstractmethod
    async def put(self, key: str, data: bytes) -> None:
        """Whole or not at all: a reader sees the old file or the new one."""

    @abc.abstractmethod
    async def get(self, key: str) -> bytes | None:
        """The bytes, or None when there is no such file."""

    @abc.abstractmethod
    async def open(self, key: str) -> StoredFile | None: ...

    @abc.abstractmethod
    async def exists(self, key: str) -> bool: ...

    @abc.abstractmethod
    async def delete(self, key: str) -> None:
        """A file already gone is no error."""

    @abc.abstractmethod
    async def keys(self, folder: str) -> list[str]:
        """Every key under ``folder`` (one of ``FOLDERS``), sorted."""

    async def probe(self) -> str:
        """Writes, reads back and deletes a small object: what ``jumelage check`` asks."""
        key = f"{PROBE}/{secrets.token_hex(8)}"
        data = secrets.token_bytes(16)
        await self.put(key, data)
        try:
            if await self.get(key) != data:
                raise StoreUnavailable(f"{self.description}: a probe read back differently")
        finally:
            await self.delete(key)
        return f"{self.description}: writable and readable"


class LocalStore(MediaStore):
    def __init__(self, root: Path) -> None:
        self.root = root
        self.description = f"folder {root}"

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._write, self._path(key), data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{secrets.token_hex(4)}.partial")
        partial.write_bytes(data)
        partial.replace(path)

    async def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except (FileNotFoundError, IsADirectoryError):
            return None

    async def open(self, key: str) -> StoredFile | None:
        path = self._path(key)
        try:
            handle = path.open("rb")
        except (FileNotFoundError, IsADirectoryError):
            return None
        return StoredFile(os.fstat(handle.fileno()).st_size, _read_chunks(handle))

    async def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    async def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    async def keys(self, folder: str) -> list[str]:
        home = self.root / folder
        if not home.is_dir():
            return []
        names = (p.name for p in home.iterdir() if p.is_file() and _KEY.match(f"{folder}/{p.name}"))
        return sorted(f"{folder}/{name}" for name in names if not name.endswith(".partial"))


async def _read_chunks(handle: Any) -> AsyncIterator[bytes]:
    with handle:
        while chunk := await asyncio.to_thread(handle.read, CHUNK):
            yield chunk


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str
    endpoint: str = ""
    region: str = ""
    access_key: str = ""
    secret_key: str = ""


_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def parse_media_url(url: str) -> tuple[str, str]:
    """(bucket, prefix) of ``s3://bucket/some/prefix``; ValueError with the reason."""
    if not url.startswith("s3://"):
        raise ValueError(f"must be empty (the data directory) or s3://bucket/prefix, not {url!r}")
    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    if not _BUCKET.match(bucket):
        raise ValueError(f"{bucket!r} is not an S3 bucket name (3-63 of a-z, 0-9, '.', '-')")
    return bucket, prefix.strip("/")


class S3Store(MediaStore):
    def __init__(self, where: S3Location) -> None:
        from obstore.store import S3Store as Client

        self.description = f"s3://{where.bucket}/{where.prefix}" + (
            f" at {where.endpoint}" if where.endpoint else ""
        )
        options: dict[str, Any] = {"region": where.region or "us-east-1"}
        if where.endpoint:
            options["endpoint"] = where.endpoint
        if where.access_key:
            options["access_key_id"] = where.access_key
            options["secret_access_key"] = where.secret_key
        self.client = Client(
            where.bucket,
            prefix=where.prefix or None,
            client_options={
                "allow_http": where.endpoint.startswith("http://"),
                "connect_timeout": timedelta(seconds=5),
                "timeout": timedelta(seconds=60),
            },
            retry_config={"max_retries": 3, "retry_timeout": timedelta(seconds=30)},
            **options,
        )

    @contextlib.contextmanager
    def _failing(self, key: str) -> Any:
        """obstore's errors (and the OSErrors it raises) become ``StoreUnavailable``."""
        from obstore.exceptions import BaseError

        try:
            yield
        except (BaseError, OSError) as exc:
            detail = f"{self.description} {key}: {_first_line(exc)}"
            log.warning("media store unavailable: %s", detail)
            raise StoreUnavailable(detail) from exc

    async def put(self, key: str, data: bytes) -> None:
        import obstore

        with self._failing(key):
            await obstore.put_async(self.client, check_key(key), data)

    async def get(self, key: str) -> bytes | None:
        found = await self._get(key)
        if found is None:
            return None
        with self._failing(key):
            return bytes(await found.bytes_async())

    async def _get(self, key: str) -> Any:
        import obstore

        with self._failing(key):
            try:
                return await obstore.get_async(self.client, check_key(key))
            except FileNotFoundError:
                return None

    async def open(self, key: str) -> StoredFile | None:
        found = await self._get(key)
        if found is None:
            return None
        return StoredFile(int(found.meta["size"]), self._chunks(key, found))

    async def _chunks(self, key: str, found: Any) -> AsyncIterator[bytes]:
        with self._failing(key):
            async for chunk in found.stream(min_chunk_size=CHUNK):
                yield bytes(chunk)

    async def exists(self, key: str) -> bool:
        import obstore

        with self._failing(key):
            try:
                await obstore.head_async(self.client, check_key(key))
            except FileNotFoundError:
                return False
        return True

    async def delete(self, key: str) -> None:
        import obstore

        with self._failing(key), contextlib.suppress(FileNotFoundError):
            await obstore.delete_async(self.client, check_key(key))

    async def keys(self, folder: str) -> list[str]:
        import obstore

        found: list[str] = []
        with self._failing(folder):
            async for batch in obstore.list(self.client, prefix=folder):
                found += [str(meta["path"]) for meta in batch]
        return sorted(k for k in found if _KEY.match(k))


_S3_ERROR = re.compile(r"<Code>([^<]*)</Code>\s*<Message>([^<]*)</Message>")


def _first_line(exc: BaseException) -> str:
    """S3's own words when it answered (``NoSuchBucket: The specified bucket does not
    exist``), else the first line of the client's message (a refused connection...)."""
    text = str(exc)
    answered = _S3_ERROR.search(text)
    if answered:
        return f"{answered.group(1)}: {answered.group(2)}"
    return (text.strip().splitlines() or [type(exc).__name__])[0][:300]


_stores: dict[Path, MediaStore] = {}


def configure(data_dir: Path, where: S3Location | None) -> MediaStore:
    """The store of the node whose data directory is ``data_dir``, from now on in this
    process: S3 at ``where``, or the data directory itself."""
    store = S3Store(where) if where is not None else LocalStore(data_dir)
    _stores[data_dir.resolve()] = store
    return store


def store_at(data_dir: Path) -> MediaStore:
    """The store configured for ``data_dir``; its own folders when none was."""
    return _stores.get(data_dir.resolve()) or LocalStore(data_dir)
