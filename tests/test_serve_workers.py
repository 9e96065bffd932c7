"""``jumelage serve --workers N``: on PostgreSQL, N processes listen on the port and an update
posted through one of them is on the logged-out page that every one of them serves (their
caches follow the database's generation); on SQLite, more than one process is refused."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import csrf_of
from tests.databases import fresh_database, is_postgres
from tests.servers import ROOT, free_port, jumelage, serving

PASSWORD = "correct horse battery"
FRESH_CONNECTIONS = 24  # each one lands on a process chosen by the kernel


def listening_inodes(port: int) -> set[str]:
    """Sockets listening on ``port`` (state 0A in /proc/net/tcp)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(f":{port:04X}") and fields[3] == "0A":
            inodes.add(fields[9])
    return inodes


def processes_listening(parent: int, port: int) -> set[int]:
    """The parent's children that hold a listening socket of ``port``."""
    wanted = {f"socket:[{inode}]" for inode in listening_inodes(port)}
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    found = set()
    for child in map(int, children):
        fds = Path(f"/proc/{child}/fd")
        if any(str(fd.readlink()) in wanted for fd in fds.iterdir() if fd.is_symlink()):
            found.add(child)
    return found


def page_pids(log: str, path: str) -> list[int]:
    """The processes that answered ``GET path``, read from the access log."""
    pattern = re.compile(r"\[(\d+)\] \[INFO\] \S+ - - \[[^]]+\] \"GET " + re.escape(path) + " ")
    return [int(m.group(1)) for m in pattern.finditer(log)]


def post_update(base: str, text: str) -> None:
    with httpx.Client(base_url=base) as browser:
        login = csrf_of(browser.get("/login").text)
        form = {"csrf_token": login, "username": "ana", "password": PASSWORD}
        assert browser.post("/login", data=form).status_code == 303
        token = csrf_of(browser.get("/t/water_t").text)
        data = {"csrf_token": token, "visibility": "public", "content_fr": text, "language": "fr"}
        assert browser.post("/t/water_t", data=data).status_code == 303


def anonymous_pages(base: str, count: int) -> list[str]:
    pages = []
    for _ in range(count):
        with httpx.Client(base_url=base) as visitor:  # a new connection each time
            response = visitor.get("/t/water_t")
            assert response.status_code == 200
            pages.append(response.text)
    return pages


@pytest.mark.skipif(not is_postgres(), reason="several processes need PostgreSQL")
async def test_two_processes_serve_and_see_each_others_writes(tmp_path: Path) -> None:
    url = await fresh_database(tmp_path, "workers", migrated=True)
    port = free_port()
    with serving(tmp_path, url, port, workers=2) as served:
        env = {"JUMELAGE_DATA_DIR": str(tmp_path), "JUMELAGE_DATABASE_URL": url}
        env |= {"JUMELAGE_DOMAIN": f"127.0.0.1:{port}", "PATH": "/usr/bin:/bin"}
        account = ["ana", "--email", "ana@example.org", "--password", PASSWORD]
        jumelage(env, "users", "create", *account)
        jumelage(env, "twinnings", "create", "water_t", "--title", "Eau", "--owner", "ana")
        assert len(processes_listening(served.pid, port)) == 2
        assert all("Puits creusé" not in page for page in anonymous_pages(served.base, 8))
        post_update(served.base, "Puits creusé")
        before = len(page_pids((tmp_path / "server.log").read_text(), "/t/water_t"))
        pages = anonymous_pages(served.base, FRESH_CONNECTIONS)
        assert all("Puits creusé" in page for page in pages)
        answered = page_pids((tmp_path / "server.log").read_text(), "/t/water_t")[before:]
        assert set(answered) == processes_listening(served.pid, port)


def test_sqlite_refuses_more_than_one_process(tmp_path: Path) -> None:
    env = {
        "JUMELAGE_DATA_DIR": str(tmp_path),
        "JUMELAGE_DATABASE_URL": f"sqlite://{tmp_path / 'one.sqlite3'}",
        "PATH": "/usr/bin:/bin",
    }
    command = [sys.executable, "-m", "server.cli", "serve", "--port", str(free_port())]
    done = subprocess.run(
        [*command, "--workers", "2"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "--workers: SQLite allows one server process" in done.stderr
    assert "use PostgreSQL (JUMELAGE_DATABASE_URL)" in done.stderr
