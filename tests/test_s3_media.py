"""A node whose media live in an S3 bucket (moto's S3-compatible server, on this machine), as
an admin runs it on several machines: two ``jumelage serve`` processes on one database and one
bucket, nothing kept in their data directories. A photo sent by a Mastodon app and a document
sent by the web form land in the bucket, cleaned, and either process serves them; partner-only
files reach members only; deleting a post deletes its objects; a backup carries the objects
and restores them into another store; ``jumelage check`` names a wrong bucket."""

from __future__ import annotations

import asyncio
import io
import json
import re
import secrets
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from mastodon import Mastodon

from tests.api.conftest import PASSWORD, password_token
from tests.conftest import csrf_of
from tests.databases import fresh_database
from tests.photos import assert_clean_and_upright, gps_photo
from tests.s3 import BUCKET, keys, objects, s3_env, s3_server
from tests.servers import ROOT, free_port, jumelage, running_server, server_env

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with s3_server() as found:
        yield found


def _node_env(endpoint: str, prefix: str, port: int) -> dict[str, str]:
    """One domain and one secret for every process of the node, as behind one proxy."""
    return {
        **s3_env(endpoint, prefix),
        "JUMELAGE_DOMAIN": f"127.0.0.1:{port}",
        "JUMELAGE_SECRET_KEY": "s" * 40,
    }


def _web_login(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    token = csrf_of(client.get("/login").text)
    answer = client.post(
        "/login", data={"csrf_token": token, "username": username, "password": PASSWORD}
    )
    assert answer.status_code == 303, answer.text
    return client


def _add_partner_document(web: httpx.Client) -> tuple[str, str]:
    """(the resource's page, its file's name), sent as a browser sends the form."""
    form = {
        "csrf_token": csrf_of(web.get("/t/lapaz").text),
        "resource_kind": "document",
        "resource_title_fr": "Compte rendu des partenaires",
        "licence": "CC-BY-SA-4.0",
        "visibility": "partners",
        "resource_fields": "governance",
        "language": "fr",
    }
    files = {"file": ("compte-rendu.pdf", PDF, "application/pdf")}
    added = web.post("/t/lapaz/resources", data=form, files=files)
    assert added.status_code == 303, added.text
    page = added.headers["location"]
    found = re.search(r"/media/([A-Za-z0-9_-]+\.pdf)", web.get(page).text)
    assert found, "the resource page links its file"
    return page, found.group(1)


def _join(base: str, username: str, admin: Mastodon) -> str:
    """``username`` asks to join La Paz on the web and its admin accepts from her app (when
    the twinning asks for approval); the new member's API token."""
    web = _web_login(base, username)
    joined = web.post("/t/lapaz/join", data={"csrf_token": csrf_of(web.get("/t/lapaz").text)})
    assert joined.status_code == 303, joined.text
    web.close()
    for request in admin.follow_requests():
        admin.follow_request_authorize(request["id"])
    return password_token(base, username)


def _get(base: str, path: str, token: str = "") -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(base + path, headers=headers, timeout=60)


async def test_two_servers_share_the_bucket_and_its_rule(tmp_path: Path, endpoint: str) -> None:
    url = await fresh_database(tmp_path, "s3", migrated=True)
    target_url = await fresh_database(tmp_path / "restored", "s3restored")
    await asyncio.to_thread(_two_servers, tmp_path, url, target_url, endpoint)


def _two_servers(tmp_path: Path, url: str, target_url: str, endpoint: str) -> None:
    prefix, port = f"node-{secrets.token_hex(4)}", free_port()
    node = _node_env(endpoint, prefix, port)
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    env = server_env(first, url, port, **node)
    for name in ("alice", "bob", "carla"):
        jumelage(
            env, "users", "create", name, "--email", f"{name}@example.org", "--password", PASSWORD
        )
    jumelage(env, "twinnings", "create", "lapaz", "--title", "Brest – La Paz", "--owner", "alice")
    with (
        running_server(first, url, port=port, **node) as one,
        running_server(second, url, JUMELAGE_INLINE_WORKER="0", **node) as two,
    ):
        alice = Mastodon(access_token=password_token(one, "alice"), api_base_url=one)
        bob, carla = password_token(one, "bob"), _join(one, "carla", alice)
        photo = alice.media_post(gps_photo(), mime_type="image/jpeg", description="Terrain")
        status = alice.status_post("@lapaz Photo", media_ids=[photo["id"]], visibility="direct")
        attached = status["media_attachments"][0]
        name, small = attached["url"].rsplit("/", 1)[1], attached["preview_url"].rsplit("/", 1)[1]
        stored = objects(endpoint, prefix)
        assert {f"media/{name}", f"media/{small}"} <= stored.keys()
        assert_clean_and_upright(stored[f"media/{name}"])
        web = _web_login(one, "alice")
        page, document = _add_partner_document(web)
        assert objects(endpoint, prefix)[f"media/{document}"] == PDF
        face = alice.account_update_credentials(
            avatar=io.BytesIO(gps_photo()), avatar_mime_type="image/jpeg"
        )
        picture = face["avatar"].rsplit("/", 1)[1]
        for base in (one, two):
            for file in (name, small, document):
                assert _get(base, f"/media/{file}").status_code == 404  # anonymous
                assert _get(base, f"/media/{file}", bob).status_code == 404  # not a member
            served = _get(base, f"/media/{document}", carla)  # a member
            assert served.status_code == 200 and served.content == PDF
            assert served.headers["content-length"] == str(len(PDF))
            assert _get(base, f"/media/{name}", carla).content == stored[f"media/{name}"]
            assert (
                _get(base, f"/pictures/{picture}").content
                == objects(endpoint, prefix)[f"pictures/{picture}"]
            )
        alice.status_delete(status["id"])
        _until(lambda: not {f"media/{name}", f"media/{small}"} & keys(endpoint, prefix))
        assert _get(two, f"/media/{name}", alice.access_token).status_code == 404
    for folder in (first, second):
        assert not (folder / "media").exists() and not (folder / "pictures").exists()
    _backup_and_restore(tmp_path, env, target_url, endpoint, prefix, (page, document))


def _until(done: Callable[[], bool], seconds: float = 30) -> None:
    """Files leave the store once the deletion has committed, from the worker's next cycle."""
    for _ in range(int(seconds * 5)):
        if done():
            return
        time.sleep(0.2)
    raise AssertionError("the store still holds the files")


def _backup_and_restore(
    tmp_path: Path,
    env: dict[str, str],
    target_url: str,
    endpoint: str,
    prefix: str,
    resource: tuple[str, str],
) -> None:
    """The archive holds the bucket's objects; restored into another prefix, the node serves
    the member's document from there, and deleting the resource by the web form deletes it."""
    archive = tmp_path / "node.tar.gz"
    summary = json.loads(jumelage(env, "backup", str(archive), "--json").stdout)
    before = objects(endpoint, prefix)
    with tarfile.open(archive, "r:gz") as tar:
        archived = {
            m.name.removeprefix("files/"): (tar.extractfile(m) or io.BytesIO()).read()
            for m in tar.getmembers()
            if m.name.startswith(("files/media/", "files/pictures/"))
        }
    assert archived == before and summary["file_count"] >= len(before)
    restored_dir, restored_prefix, port = tmp_path / "restored", f"{prefix}-restored", free_port()
    restored_dir.mkdir(exist_ok=True)
    node = _node_env(endpoint, restored_prefix, port)
    target = server_env(restored_dir, target_url, port, **node)
    jumelage(target, "restore", str(archive), "--json")
    assert objects(endpoint, restored_prefix) == before
    page, document = resource
    with running_server(restored_dir, target_url, port=port, **node) as base:
        token = password_token(base, "alice")
        assert _get(base, f"/media/{document}", token).content == PDF
        web = _web_login(base, "alice")
        deleted = web.post(f"{page}/delete", data={"csrf_token": csrf_of(web.get(page).text)})
        assert deleted.status_code == 303, deleted.text
        _until(lambda: f"media/{document}" not in keys(endpoint, restored_prefix))
        assert _get(base, f"/media/{document}", token).status_code == 404
    assert f"media/{document}" in objects(endpoint, prefix)  # the first node's bucket untouched


async def test_check_names_a_wrong_bucket(tmp_path: Path, endpoint: str) -> None:
    url = await fresh_database(tmp_path, "s3check", migrated=True)
    await asyncio.to_thread(_checks, tmp_path, url, endpoint)


def _check_lines(env: dict[str, str]) -> dict[str, str]:
    command = [sys.executable, "-m", "server.cli", "check"]
    done = subprocess.run(command, env=env, cwd=ROOT, timeout=120, capture_output=True, text=True)
    assert "Traceback" not in done.stderr, done.stderr
    return dict(line.split(": ", 1) for line in done.stdout.splitlines())


def _checks(tmp_path: Path, url: str, endpoint: str) -> None:
    good = server_env(tmp_path, url, free_port(), **s3_env(endpoint, "checked"))
    assert _check_lines(good)["ok   media store"] == (
        f"s3://{BUCKET}/checked at {endpoint}: writable and readable"
    )
    assert objects(endpoint, "checked") == {}  # the probe cleaned up after itself
    wrong = {**good, **s3_env(endpoint, "checked", bucket="no-such-bucket")}
    failed = _check_lines(wrong)["FAIL media store"]
    assert "s3://no-such-bucket/checked" in failed and "NoSuchBucket" in failed
