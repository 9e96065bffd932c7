"""``jumelage check`` as an admin runs it after an install: every check passes against a
running node at its public address, and with the node stopped each failing check says what
did not answer, one line each, exit 1."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from tests.databases import fresh_database
from tests.servers import ROOT, free_port, jumelage, running_server, server_env


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "server.cli", "check"]
    return subprocess.run(command, env=env, cwd=ROOT, timeout=120, capture_output=True, text=True)


async def test_check_reads_the_node_at_its_public_address(tmp_path: Path) -> None:
    url = await fresh_database(tmp_path, "check", migrated=True)
    await asyncio.to_thread(_checks, tmp_path, url)


def _checks(tmp_path: Path, url: str) -> None:
    port = free_port()
    env = server_env(tmp_path, url, port)
    jumelage(env, "users", "create", "alice", "--email", "a@example.org", "--password", "x" * 12)
    with running_server(tmp_path, url, port=port):
        done = _check(env)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "ok   settings",
        "ok   database",
        "ok   media store",
        "ok   nodeinfo",
        "ok   instance actor",
        "ok   webfinger",
    ]
    assert f"acct:alice@127.0.0.1:{port} → http://127.0.0.1:{port}/u/alice" in done.stdout

    stopped = _check(env)
    assert stopped.returncode == 1
    failing = [line for line in stopped.stdout.splitlines() if line.startswith("FAIL")]
    assert [line.split(":")[0] for line in failing] == [
        "FAIL nodeinfo",
        "FAIL instance actor",
        "FAIL webfinger",
    ]
    assert "ConnectError" in failing[0] and "Traceback" not in stopped.stderr
