"""One archive holds a whole node: every row of every table, read in one consistent snapshot
while the server runs, the files of the data directory (the secret key...), the uploaded files
and pictures of the node's store (its folders, or its S3 bucket: the objects travel in the
archive, under the same names, so a backup restores into either kind of store), and a
manifest with the versions and a SHA-256 of each member.

Rows are written per model as JSON lines rather than as a database dump, so the same archive
restores into SQLite or PostgreSQL whichever it came from: that is how a node moves from one to
the other. The actor keys are rows like any other, so the restored node answers with the same
keys and its followers elsewhere keep verifying it."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from tortoise import Tortoise, fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models.config import Settings
from models.errors import N_, Conflict, Invalid
from models.media_store import FOLDERS, PROBE, MediaStore, store_at

FORMAT = 1
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BATCH = 500

Progress = Callable[[str, int], None]  # what (a table, "files"), how many more


@dataclass
class Manifest:
    format: int
    version: str
    schema: str
    made_at: str
    database: str
    rows: dict[str, int] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # archive path -> sha256


def code_schema() -> str:
    """The last migration this code knows, e.g. ``0024_picture_meta``."""
    return max(p.stem for p in MIGRATIONS.glob("[0-9][0-9][0-9][0-9]_*.py"))


def models_parents_first() -> list[type[Model]]:
    """Every model, each after the models it refers to, so rows insert without breaking a
    foreign key (a table referring to itself inserts in id order)."""
    models = {m._meta.db_table: m for m in Tortoise.apps["models"].values()}
    refers = {
        table: {
            model._meta.fields_map[name].related_model._meta.db_table  # type: ignore[attr-defined]
            for name in (*model._meta.fk_fields, *model._meta.o2o_fields)
        }
        - {table}
        for table, model in models.items()
    }
    ordered: list[type[Model]] = []
    while refers:
        ready = sorted(t for t, targets in refers.items() if not targets & refers.keys())
        if not ready:
            raise RuntimeError(f"tables refer to each other in a circle: {sorted(refers)}")
        ordered += [models[t] for t in ready]
        for table in ready:
            del refers[table]
    return ordered


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot archive a {type(value).__name__}")


def _decode(model: type[Model], row: dict[str, Any]) -> dict[str, Any]:
    for name, value in row.items():
        if value is not None and isinstance(model._meta.fields_map.get(name), fields.DatetimeField):
            row[name] = datetime.fromisoformat(value)
    return row


@contextlib.asynccontextmanager
async def _snapshot(settings: Settings) -> Any:
    """A read transaction that sees one moment: SQLite's WAL gives it from the first read;
    PostgreSQL needs REPEATABLE READ (its default sees each statement's own moment)."""
    async with in_transaction() as conn:
        if not settings.is_sqlite:
            await conn.execute_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        else:
            await conn.execute_query("SELECT 1 FROM tortoise_migrations LIMIT 1")
        yield conn


def _add(tar: tarfile.TarFile, name: str, data: bytes, manifest: Manifest) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))
    manifest.files[name] = hashlib.sha256(data).hexdigest()


def _data_files(settings: Settings, archive: Path) -> Iterator[Path]:
    """The files of the data directory but the database itself (its rows travel as JSON
    lines), logs, unfinished writes and the archive being written."""
    database = settings.sqlite_path.resolve() if settings.is_sqlite else None
    skipped = {database, *(Path(f"{database}{s}") for s in ("-wal", "-shm", "-journal"))}
    for path in sorted(settings.data_dir.rglob("*")):
        if not path.is_file() or path.suffix in (".log", ".tmp") or path.resolve() in skipped:
            continue
        if path.relative_to(settings.data_dir).parts[0] in (*FOLDERS, PROBE):
            continue  # the store's files, read from the store (which may be elsewhere)
        if path.resolve() != archive.resolve():
            yield path


async def _add_stored(
    tar: tarfile.TarFile, store: MediaStore, manifest: Manifest, progress: Progress
) -> None:
    """The store's files, read after the rows' snapshot: every file a row names is there, as
    files are written before their rows and deleted after them (a file uploaded meanwhile
    comes along, unnamed, and does no harm)."""
    for folder in FOLDERS:
        for key in await store.keys(folder):
            data = await store.get(key)
            if data is not None:  # deleted since it was listed
                _add(tar, f"files/{key}", data, manifest)
                progress("files", 1)


async def write_backup(settings: Settings, target: Path, progress: Progress) -> Manifest:
    """Writes ``target`` (a .tar.gz) through a temporary file, so a failed backup leaves no
    archive that looks whole."""
    manifest = Manifest(
        FORMAT,
        metadata.version("jumelage"),
        code_schema(),
        datetime.now(UTC).isoformat(),
        "sqlite" if settings.is_sqlite else "postgresql",
    )
    partial = target.with_name(target.name + ".tmp")
    with tarfile.open(partial, "w:gz") as tar:
        async with _snapshot(settings) as conn:
            for model in models_parents_first():
                await _add_table(tar, model, conn, manifest, progress)
        for path in _data_files(settings, partial):
            name = "files/" + path.relative_to(settings.data_dir).as_posix()
            _add(tar, name, path.read_bytes(), manifest)
            progress("files", 1)
        await _add_stored(tar, store_at(settings.data_dir), manifest, progress)
        _add(tar, "manifest.json", json.dumps(asdict(manifest), indent=1).encode(), manifest)
    partial.replace(target)
    return manifest


async def _add_table(
    tar: tarfile.TarFile,
    model: type[Model],
    conn: BaseDBAsyncClient,
    manifest: Manifest,
    progress: Progress,
) -> None:
    table = model._meta.db_table
    rows = await model.all().using_db(conn).order_by(model._meta.pk_attr).values()
    lines = b"".join(json.dumps(r, default=_encode).encode() + b"\n" for r in rows)
    _add(tar, f"rows/{table}.jsonl", lines, manifest)
    manifest.rows[table] = len(rows)
    progress(table, len(rows))


def read_manifest(source: Path) -> Manifest:
    try:
        with tarfile.open(source, "r:gz") as tar:
            member = tar.extractfile("manifest.json")
            data = json.loads(member.read()) if member else None
    except (tarfile.TarError, KeyError, OSError, ValueError) as exc:
        raise Invalid("archive", N_("not a Jumelage backup: %(why)s"), why=str(exc)) from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise Invalid("archive", N_("not a Jumelage backup of a format this version reads"))
    return Manifest(**data)


async def _is_empty(settings: Settings) -> bool:
    for model in models_parents_first():
        if await model.exists():
            return False
    store = store_at(settings.data_dir)
    return not await store.keys("media")


async def restore_backup(settings: Settings, source: Path, progress: Progress) -> Manifest:
    """Into a migrated, empty database and a data directory without media; refuses an archive
    of a newer schema than the code, and any member whose checksum differs."""
    manifest = read_manifest(source)
    if manifest.schema > code_schema():
        raise Invalid(
            "archive",
            N_("the backup's schema (%(theirs)s) is newer than this version's (%(ours)s)"),
            theirs=manifest.schema,
            ours=code_schema(),
        )
    if not await _is_empty(settings):
        raise Conflict("target", N_("the database or the data directory is not empty"))
    with tarfile.open(source, "r:gz") as tar:
        members = {m.name: m for m in tar.getmembers()}
        async with in_transaction() as conn:
            for model in models_parents_first():
                data = _checked(tar, members, f"rows/{model._meta.db_table}.jsonl", manifest)
                await _insert(model, data, conn, progress)
            if not settings.is_sqlite:
                await _reset_sequences(conn)
        for name in sorted(n for n in manifest.files if n.startswith("files/")):
            await _restore_file(settings, name, _checked(tar, members, name, manifest))
            progress("files", 1)
    return manifest


async def _restore_file(settings: Settings, name: str, data: bytes) -> None:
    """A file of the store goes to the store (whichever it is now), any other to the data
    directory, never outside it."""
    relative = name.removeprefix("files/")
    if relative.split("/", 1)[0] in FOLDERS:
        store = store_at(settings.data_dir)
        try:
            await store.put(relative, data)
        except ValueError:
            raise Invalid("archive", N_("a file of the backup has a name no store holds")) from None
        return
    home = settings.data_dir.resolve()
    target = (home / relative).resolve()
    if not target.is_relative_to(home):
        raise Invalid("archive", N_("a file of the backup points outside its folder"))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _checked(
    tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo], name: str, manifest: Manifest
) -> bytes:
    member = members.get(name)
    handle = tar.extractfile(member) if member else None
    if handle is None:
        if name.startswith("rows/") and name not in manifest.files:
            return b""  # a table the backup's older schema did not have
        raise Invalid("archive", N_("the backup lacks %(name)s"), name=name)
    data = handle.read()
    if hashlib.sha256(data).hexdigest() != manifest.files.get(name):
        raise Invalid("archive", N_("%(name)s differs from its checksum"), name=name)
    return data


async def _insert(
    model: type[Model], data: bytes, conn: BaseDBAsyncClient, progress: Progress
) -> None:
    rows = [_decode(model, json.loads(line)) for line in data.splitlines() if line]
    with _keeping_dates(model):
        for start in range(0, len(rows), BATCH):
            batch = [model(**row) for row in rows[start : start + BATCH]]
            await model.bulk_create(batch, using_db=conn)
            progress(model._meta.db_table, len(batch))


@contextlib.contextmanager
def _keeping_dates(model: type[Model]) -> Iterator[None]:
    """tortoise-orm sets ``auto_now`` (and unset ``auto_now_add``) dates on every insert; a
    restore keeps the archived ones, so both are switched off for its inserts."""
    switched = [
        (f, f.auto_now, f.auto_now_add)
        for f in model._meta.fields_map.values()
        if isinstance(f, fields.DatetimeField) and (f.auto_now or f.auto_now_add)
    ]
    for f, _, _ in switched:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in switched:
            f.auto_now, f.auto_now_add = now, now_add


async def _reset_sequences(conn: BaseDBAsyncClient) -> None:
    """Rows came with their ids; PostgreSQL's sequences must move past them."""
    for model in models_parents_first():
        table = model._meta.db_table
        await conn.execute_query(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)'
        )
