"""Programmes across two real Jumelage instances on loopback: a programme on A lists a
twinning of B with the phase and the public figures B publishes, and a person of B follows
the programme (found by WebFinger, its Follow accepted by A)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx

from tests.federation.test_two_instances import (
    PASSWORD,
    _eventually,
    _post,
    _session,
    _subscribe,
    databases,
)
from tests.servers import free_port, jumelage, migrate, running_server, server_env

__all__ = ["databases"]  # the fixture, shared with the twinning tests
NEWS = "Seed library opened in El Alto"


def _instances(tmp_path: Path, databases: tuple[str, str]) -> tuple[int, int]:
    """A: Ada, the instance's admin. B: Maëlle's twinning ``brest_lapaz`` and Jorge."""
    port_a, port_b = free_port(), free_port()
    env_a = server_env(tmp_path / "a", databases[0], port_a)
    env_b = server_env(tmp_path / "b", databases[1], port_b)
    for env in (env_a, env_b):
        migrate(env)
    jumelage(
        env_a, "users", "create", "ada", "--email", "ada@a.org", "--password", PASSWORD, "--admin"
    )
    jumelage(env_b, "users", "create", "maelle", "--email", "m@b.org", "--password", PASSWORD)
    jumelage(env_b, "users", "create", "jorge", "--email", "j@b.org", "--password", PASSWORD)
    jumelage(env_b, "twinnings", "create", "brest_lapaz", "--title", "Brest", "--owner", "maelle")
    return port_a, port_b


async def _twinning_of_b_in_agreement_with_news(maelle: httpx.AsyncClient) -> None:
    await _post(maelle, "/t/brest_lapaz/about", "/t/brest_lapaz/phase", {})
    await _post(
        maelle,
        "/t/brest_lapaz",
        "/t/brest_lapaz/updates",
        {"content_en": NEWS, "visibility": "public"},
    )
    await _post(
        maelle,
        "/t/brest_lapaz",
        "/t/brest_lapaz/updates",
        {"content_en": "Partner budget 4711", "visibility": "partners"},
    )


async def _programme_on_a(ada: httpx.AsyncClient) -> None:
    form = {
        "slug": "semillas",
        "title_en": "Seeds programme",
        "title_es": "Programa Semillas",
        "languages": "es",
    }
    assert await _post(ada, "/programmes/new", "/programmes/new", form) == "/p/semillas"


def _twinning_figures(text: str, name: str) -> dict[str, str]:
    rows = csv.DictReader(io.StringIO(text))
    return {
        r["measure"]: r["value"] for r in rows if r["section"] == "twinnings" and r["name"] == name
    }


async def test_a_programme_on_a_lists_a_twinning_of_b_with_its_phase_and_figures(
    tmp_path: Path, databases: tuple[str, str]
) -> None:
    port_a, port_b = _instances(tmp_path, databases)
    with running_server(tmp_path / "a", databases[0], port=port_a) as base_a:
        with running_server(tmp_path / "b", databases[1], port=port_b) as base_b:
            maelle, ada = await _session(base_b, "maelle"), await _session(base_a, "ada")
            jorge = await _session(base_b, "jorge")
            await _twinning_of_b_in_agreement_with_news(maelle)
            await _programme_on_a(ada)

            # B's person follows the programme: WebFinger on A, a Follow A accepts.
            await _subscribe(jorge, f"@semillas@127.0.0.1:{port_a}", "follow")

            async def follow_accepted() -> bool:
                followers = await ada.get(
                    "/p/semillas/followers", headers={"Accept": "application/activity+json"}
                )
                remote = (await jorge.get("/remote")).text
                return followers.json()["totalItems"] == 1 and "waiting" not in remote

            await _eventually(follow_accepted)

            handle = f"@brest_lapaz@127.0.0.1:{port_b}"
            await _post(ada, "/p/semillas", "/p/semillas/twinnings", {"handle": handle})
            async with httpx.AsyncClient(base_url=base_a) as anonymous:
                page = (await anonymous.get("/p/semillas")).text
                assert 'data-phase="agreement"' in page
                assert 'data-items="2"' not in page and 'data-items="1"' in page
                assert NEWS in page and "4711" not in page
                report = await anonymous.get("/p/semillas/report.csv")
            figures = _twinning_figures(report.text, f"brest_lapaz@127.0.0.1:{port_b}")
            assert figures == {"phase": "agreement", "items": "1", "members": "1", "followers": "0"}
            featured = (await ada.get("/p/semillas/featured")).json()
            assert featured["orderedItems"] == [f"{base_b}/t/brest_lapaz"]
            for web in (maelle, ada, jorge):
                await web.aclose()
