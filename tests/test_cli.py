"""The ``jumelage`` command, run as a real process: one-line errors, non-zero exits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from models.accounts import create_account
from models.config import Settings
from models.media import MediaFile
from tests.databases import fresh_database
from tests.photos import assert_clean_and_upright, gps_photo


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent,
    )


@pytest.fixture
async def cli_env(tmp_path: Path) -> dict[str, str]:
    url = await fresh_database(tmp_path, "cli")
    env = {"JUMELAGE_DATA_DIR": str(tmp_path), "JUMELAGE_DATABASE_URL": url}
    assert run(env, "migrate").returncode == 0
    return env


def test_users_and_twinnings_commands(cli_env: dict[str, str]) -> None:
    made = run(
        cli_env,
        "users",
        "create",
        "Root",
        "--email",
        "root@x.org",
        "--password",
        "long enough pw",
        "--admin",
    )
    assert made.returncode == 0, made.stderr
    assert "created admin root" in made.stdout
    listed = run(cli_env, "users", "list")
    assert "root\troot@x.org\tadmin\tactive" in listed.stdout
    tw = run(
        cli_env,
        "twinnings",
        "create",
        "brest_lapaz",
        "--title",
        "Brest La Paz",
        "--owner",
        "root",
        "--language",
        "fr",
    )
    assert tw.returncode == 0, tw.stderr
    assert "/t/brest_lapaz" in tw.stdout
    assert run(cli_env, "users", "suspend", "root").returncode == 0
    assert "suspended" in run(cli_env, "users", "list").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("users", "create", "x", "--email", "x@x.org", "--password", "long enough"),
            "username: 2 to 30 letters",
        ),
        (
            ("users", "create", "bob", "--email", "nope", "--password", "long enough"),
            "email: not a valid e-mail address",
        ),
        (("users", "suspend", "ghost"), "no account named 'ghost'"),
        (
            ("twinnings", "create", "tw", "--title", "T", "--owner", "ghost"),
            "no active account named 'ghost'",
        ),
    ],
)
def test_errors_are_one_line_and_non_zero(
    cli_env: dict[str, str], args: tuple[str, ...], message: str
) -> None:
    result = run(cli_env, *args)
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert message in result.stderr


def test_bad_configuration_stops_with_the_variable_named(tmp_path: Path) -> None:
    result = run({"JUMELAGE_DATA_DIR": str(tmp_path), "JUMELAGE_SCHEME": "gopher"}, "migrate")
    assert result.returncode == 2
    assert result.stderr.startswith("jumelage: JUMELAGE_SCHEME:")


def test_demo_fills_an_instance_once(cli_env: dict[str, str]) -> None:
    first = run(cli_env, "demo")
    assert first.returncode == 0, first.stderr
    assert "4 twinnings" in first.stdout
    second = run(cli_env, "demo")
    assert second.returncode != 0 and "already" in second.stderr


async def test_media_strip_metadata_cleans_pictures_stored_before(settings: Settings) -> None:
    """A photo stored as it came (as uploads were before they were cleaned) is replaced by its
    clean copy with a thumbnail; a picture that cannot be decoded is named and left alone."""
    owner = await create_account("maelle", "maelle@example.org", "long enough pw")
    folder = settings.data_dir / "media"  # the local store's folder, written as it once was
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "old-photo.jpg").write_bytes(gps_photo())
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot a picture")
    stored = [("old-photo.jpg", "image/jpeg"), ("broken.png", "image/png")]
    for name, media_type in stored:
        size = (folder / name).stat().st_size
        await MediaFile.create(
            account=owner, name=name, media_type=media_type, kind="image", size=size
        )
    env = {
        "JUMELAGE_DATA_DIR": str(settings.data_dir),
        "JUMELAGE_DATABASE_URL": settings.database_url,
    }
    done = run(env, "media", "strip-metadata")
    assert done.returncode == 1 and "1 picture(s) cleaned" in done.stdout
    assert "broken.png: this file is not a readable image" in done.stderr
    assert_clean_and_upright((folder / "old-photo.jpg").read_bytes())
    photo = await MediaFile.get(name="old-photo.jpg")
    assert (photo.width, photo.height) == (800, 1200) and photo.blurhash and photo.preview_name
    assert photo.size == (folder / "old-photo.jpg").stat().st_size
    assert (folder / photo.preview_name).exists()
    assert (folder / "broken.png").read_bytes().endswith(b"not a picture")
    again = run(env, "media", "strip-metadata")
    assert "0 picture(s) cleaned" in again.stdout
