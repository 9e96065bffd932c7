"""Our people naming people of other servers (``@ana@example.org``) in public posts: the
handles are looked up by WebFinger, tagged as ``Mention`` and the post goes to those people too,
so Mastodon notifies them. Partner-only posts never go to anyone outside their audience, so
mentions in them stay text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from federation.context import Federation
from federation.errors import FederationError
from federation.subscriptions import resolve_actor
from models.remote import RemoteActor

HANDLE = re.compile(r"(?<![\w@/])@([a-z0-9_][a-z0-9_.-]*)@([a-z0-9.-]+\.?[a-z0-9]+(?::\d+)?)", re.I)
MAX_MENTIONS = 10


async def remote_mentions(fed: Federation, texts: Iterable[str]) -> list[RemoteActor]:
    """The people of other servers the texts name; handles that do not resolve are skipped."""
    handles: dict[str, None] = {}
    for text in texts:
        for name, host in HANDLE.findall(text):
            if host.lower() != fed.settings.domain:
                handles[f"{name}@{host.lower()}"] = None
    found: list[RemoteActor] = []
    for handle in list(handles)[:MAX_MENTIONS]:
        try:
            actor = await resolve_actor(fed, handle)
        except FederationError:
            continue
        if actor.uri not in {a.uri for a in found}:
            found.append(actor)
    return found


def mention_tags(actors: list[RemoteActor]) -> list[dict[str, Any]]:
    return [{"type": "Mention", "href": a.uri, "name": f"@{a.acct}"} for a in actors]
