"""toot, the Mastodon command-line client, run as its users run it (its own process, its own
configuration directory) against a real ``jumelage serve``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.conftest import PASSWORD, Instance
from tests.api.test_mastodon_py import png

TOOT = Path(sys.executable).with_name("toot")


class Toot:
    def __init__(self, config: Path) -> None:
        self.env = {**os.environ, "XDG_CONFIG_HOME": str(config), "NO_COLOR": "1"}

    def __call__(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(TOOT), *args], env=self.env, capture_output=True, text=True, timeout=60
        )
        if ok:
            assert done.returncode == 0, done.stdout + done.stderr
        return done

    def json(self, *args: str) -> object:
        return json.loads(self(*args, "--json").stdout)


@pytest.fixture(scope="module")
def toot(instance: Instance, tmp_path_factory: pytest.TempPathFactory) -> Toot:
    cli = Toot(tmp_path_factory.mktemp("toot"))
    done = cli("login_cli", "-i", instance.base, "-e", "alice@example.org", "-p", PASSWORD)
    assert "Successfully logged in" in done.stdout
    return cli


def test_whoami_and_instance(toot: Toot) -> None:
    assert "@alice" in toot("whoami").stdout
    assert "Jumelage" in toot("instance").stdout


def test_post_read_and_delete(toot: Toot) -> None:
    posted = toot.json("post", "@lapaz Hello from toot", "--language", "fr")
    assert isinstance(posted, dict) and posted["language"] == "fr"
    shown = toot("status", posted["id"]).stdout
    assert "Hello from toot" in shown
    timeline = toot("timelines", "public", "--no-pager").stdout
    assert "Hello from toot" in timeline
    toot("delete", posted["id"])
    missing = toot("status", posted["id"], ok=False)
    assert missing.returncode != 0 and "not found" in (missing.stdout + missing.stderr).lower()


def test_partner_only_post_and_its_visibility(toot: Toot, instance: Instance) -> None:
    posted = toot.json("post", "@lapaz Partner budget via toot", "--visibility", "direct")
    assert isinstance(posted, dict) and posted["visibility"] == "private"
    public = toot("timelines", "public", "--no-pager").stdout
    assert "Partner budget via toot" not in public


def test_media_follow_search_and_notifications(toot: Toot, tmp_path: Path) -> None:
    image = tmp_path / "photo.png"
    image.write_bytes(png())
    posted = toot.json("post", "@lapaz With a photo", "--media", str(image), "-d", "A photo")
    assert isinstance(posted, dict)
    assert posted["media_attachments"][0]["description"] == "A photo"
    assert "lapaz" in toot("search", "lapaz").stdout
    assert "following" in toot("follow", "bogota").stdout.lower()
    assert "bogota" in toot("following", "alice").stdout
    toot("notifications")  # reads and shows them without error
    bad = tmp_path / "fake.png"
    bad.write_bytes(b"<html>not an image</html>")
    refused = toot("post", "@lapaz bad file", "--media", str(bad), ok=False)
    assert refused.returncode != 0 and "PNG" in refused.stdout + refused.stderr
