"""Backup and restore as an admin runs them: ``jumelage backup`` while a client posts
continuously to the running server, ``jumelage restore`` into a new data directory and
database; the restored node holds every archived row and file, its references all resolve (a
consistent snapshot), and it answers with the same actor keys. A non-empty target and a newer
schema are refused with a reason; a SQLite node restores into the suite's database kind (so
the PostgreSQL run moves a node from SQLite to PostgreSQL)."""

from __future__ import annotations

import asyncio
import io
import json
import tarfile
import threading
from pathlib import Path

import httpx
from tortoise import Tortoise

from tests.api.conftest import PASSWORD, password_token
from tests.databases import fresh_database
from tests.photos import gps_photo
from tests.servers import free_port, jumelage, running_server, server_env

Rows = dict[str, list[dict[str, object]]]


def _rows(archive: Path) -> Rows:
    with tarfile.open(archive, "r:gz") as tar:
        return {
            m.name.removeprefix("rows/").removesuffix(".jsonl"): [
                json.loads(line) for line in (tar.extractfile(m) or []).read().splitlines()
            ]
            for m in tar.getmembers()
            if m.name.startswith("rows/")
        }


def _files(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {
            m.name: (tar.extractfile(m) or b"").read()  # type: ignore[union-attr]
            for m in tar.getmembers()
            if m.name.startswith("files/")
        }


def _post_continuously(
    base: str, token: str, stop: threading.Event, posted: list[int], errors: list[str]
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        while not stop.is_set():
            answer = client.post("/api/v1/statuses", data={"status": f"@lapaz Note {len(posted)}"})
            if answer.status_code != 200:
                errors.append(f"{answer.status_code} {answer.text[:500]}")
                return
            posted.append(int(answer.json()["id"]))


def _wait_for(posted: list[int], count: int, writer: threading.Thread, errors: list[str]) -> None:
    while len(posted) < count:
        assert writer.is_alive(), f"the writer stopped: {errors}"
        writer.join(0.1)


def _dangling(rows: Rows) -> list[str]:
    """References of the archive to rows it does not hold (a torn snapshot would have some)."""
    ids = {table: {r["id"] for r in found} for table, found in rows.items()}
    problems = []
    for model in Tortoise.apps["models"].values():
        table = model._meta.db_table
        for name in (*model._meta.fk_fields, *model._meta.o2o_fields):
            target = model._meta.fields_map[name].related_model._meta.db_table  # type: ignore[attr-defined]
            column = f"{name}_id"
            for row in rows[table]:
                if row.get(column) is not None and row[column] not in ids[target]:
                    problems.append(f"{table} {row['id']}: {column} {row[column]}")
    return problems


async def test_backup_while_posting_then_restore_elsewhere(tmp_path: Path) -> None:
    (tmp_path / "source").mkdir()
    source_db = f"sqlite://{tmp_path / 'source' / 'jumelage.sqlite3'}"
    target_db = await fresh_database(tmp_path / "target", "target")
    await asyncio.to_thread(_backup_and_restore, tmp_path, source_db, target_db)


def _backup_and_restore(tmp_path: Path, source_db: str, target_db: str) -> None:
    source_dir, target_dir = tmp_path / "source", tmp_path / "target"
    port = free_port()
    env = server_env(source_dir, source_db, port)
    jumelage(env, "users", "create", "alice", "--email", "a@example.org", "--password", PASSWORD)
    jumelage(env, "twinnings", "create", "lapaz", "--title", "Brest – La Paz", "--owner", "alice")
    archive = tmp_path / "node.tar.gz"
    with running_server(source_dir, source_db, port=port) as base:
        token = password_token(base, "alice")
        media = httpx.post(
            f"{base}/api/v2/media",
            headers={"Authorization": f"Bearer {token}"},
            files={"file": ("photo.jpg", gps_photo(), "image/jpeg")},
        )
        assert media.status_code in (200, 202), media.text
        actor = httpx.get(f"{base}/u/alice", headers={"Accept": "application/activity+json"})
        stop, posted, errors = threading.Event(), list[int](), list[str]()
        writer = threading.Thread(
            target=_post_continuously, args=(base, token, stop, posted, errors)
        )
        writer.start()
        try:
            _wait_for(posted, 5, writer, errors)
            summary = json.loads(jumelage(env, "backup", str(archive), "--json").stdout)
            _wait_for(posted, len(posted) + 5, writer, errors)
        finally:
            stop.set()
            writer.join()
    rows = _rows(archive)
    assert summary["rows"]["content_items"] == len(rows["content_items"]) >= 5
    assert len(rows["content_items"]) < len(posted), "the backup was taken while posting"
    assert not _dangling(rows)
    assert any(name.startswith("files/media/") for name in _files(archive))

    target_env = server_env(target_dir, target_db, free_port())
    restored = json.loads(jumelage(target_env, "restore", str(archive), "--json").stdout)
    assert restored["row_count"] == sum(len(r) for r in rows.values())
    again = tmp_path / "again.tar.gz"
    jumelage(target_env, "backup", str(again))
    assert _rows(again) == rows
    assert _files(again) == _files(archive)
    with running_server(target_dir, target_db) as base:
        same = httpx.get(f"{base}/u/alice", headers={"Accept": "application/activity+json"})
        key = same.json()["publicKey"]["publicKeyPem"]
        assert key == actor.json()["publicKey"]["publicKeyPem"]

    refused = _jumelage_fails(target_env, "restore", str(archive))
    assert "not empty" in refused


async def test_restore_refuses_a_newer_schema_and_a_broken_archive(tmp_path: Path) -> None:
    source_db = await fresh_database(tmp_path / "s", "s", migrated=True)
    target_db = await fresh_database(tmp_path / "t", "t")
    await asyncio.to_thread(_refusals, tmp_path, source_db, target_db)


def _refusals(tmp_path: Path, source_db: str, target_db: str) -> None:
    env = server_env(tmp_path / "s", source_db, free_port())
    archive = tmp_path / "node.tar.gz"
    jumelage(env, "backup", str(archive))
    newer = tmp_path / "newer.tar.gz"
    with tarfile.open(archive, "r:gz") as tar, tarfile.open(newer, "w:gz") as out:
        for member in tar.getmembers():
            data = (tar.extractfile(member) or b"").read()  # type: ignore[union-attr]
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["schema"] = "9999_from_the_future"
                data = json.dumps(manifest).encode()
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    target = server_env(tmp_path / "t", target_db, free_port())
    assert "newer than this version" in _jumelage_fails(target, "restore", str(newer))
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"not an archive")
    assert "not a Jumelage backup" in _jumelage_fails(target, "restore", str(garbage))
    assert "no such backup file" in _jumelage_fails(target, "restore", str(tmp_path / "none"))


def _jumelage_fails(env: dict[str, str], *args: str) -> str:
    try:
        jumelage(env, *args)
    except AssertionError as exc:
        return str(exc)
    raise AssertionError(f"jumelage {' '.join(args)} succeeded")
