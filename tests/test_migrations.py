"""A database created by the first migration upgrades to the latest without losing rows."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.databases import fresh_database

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def empty_database(tmp_path: Path) -> str:
    return await fresh_database(tmp_path, "upgrade")


def test_upgrade_from_the_first_migration_keeps_every_row(
    tmp_path: Path, empty_database: str
) -> None:
    url = empty_database
    result = subprocess.run(
        [sys.executable, "-m", "tests.migration_probe", url, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    later = sorted(p.stem for p in (ROOT / "models" / "migrations").glob("0*.py"))[1:]
    assert report["pending_before"] == [f"models.{name}" for name in later]
    assert report["counts"] == {
        "accounts": 1,
        "twinnings": 1,
        "memberships": 1,
        "content_items": 1,
        "audiences": 1,
        "handles": 2,  # the person's and the twinning's, taken over by the claims table
    }
    assert report["invitations"] == 0
    assert report["pending_after"] == []
