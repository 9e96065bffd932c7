"""Fixtures of the federation tests: a loopback peer standing for another server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.federation.peer import Peer, start_peer


@pytest.fixture
def peer() -> Iterator[Peer]:
    p, server = start_peer()
    yield p
    server.shutdown()


@pytest.fixture
def other_peer() -> Iterator[Peer]:
    """A second server, for what a third party sends."""
    p, server = start_peer()
    yield p
    server.shutdown()
