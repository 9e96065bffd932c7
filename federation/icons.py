"""The pictures of remote actors (their ``icon``): fetched once per address through the one
outgoing client (its private-address rule and a size bound hold), decoded and re-encoded by
``models.pictures`` like our own uploads, and kept here, so that pages never make the reader's
browser ask another server for them and a hostile file never reaches a reader as it was."""

from __future__ import annotations

import logging
from typing import Any

from federation.context import Federation
from federation.errors import FederationError
from models.errors import ModelError
from models.media import MAX_IMAGE
from models.pictures import store_picture
from models.remote import RemoteActor, block_of

log = logging.getLogger(__name__)
MAX_URL = 500


def icon_url(document: dict[str, Any]) -> str:
    """The address of the actor's ``icon``: an Image (or the first of a list) whose ``url`` is
    a string or a Link; empty when there is none we could fetch."""
    icon = document.get("icon")
    icon = icon[0] if isinstance(icon, list) and icon else icon
    url = icon.get("url") if isinstance(icon, dict) else icon
    url = url[0] if isinstance(url, list) and url else url
    url = url.get("href") if isinstance(url, dict) else url
    if not isinstance(url, str) or len(url) > MAX_URL:
        return ""
    return url if url.startswith(("https://", "http://")) else ""


async def _fetch_icon(fed: Federation, url: str) -> str:
    """The name of the clean copy of the picture at ``url``; raises when it cannot be had."""
    known = await RemoteActor.filter(icon_uri=url).exclude(icon="").first()
    if known is not None:  # another actor of the same server shares it (a default avatar)
        return known.icon
    if await block_of(url):
        raise FederationError("the picture's domain is blocked here", url)
    fetched = await fed.client.request(
        "GET", url, headers={"Accept": "image/*"}, max_bytes=MAX_IMAGE + 1
    )
    if fetched.status != 200:
        raise FederationError(
            "the picture could not be fetched", f"{url} answered {fetched.status}"
        )
    return await store_picture(fed.settings.data_dir, fetched.body, "avatar")


async def keep_icon(fed: Federation, actor: RemoteActor, document: dict[str, Any]) -> None:
    """Brings the actor's picture here when its document names a new one. A picture that
    cannot be fetched or decoded is not tried again until the actor names another (initials
    show meanwhile): the actor's document is no less good for it."""
    url = icon_url(document)
    if url == actor.icon_uri:
        return
    name = ""
    if url:
        try:
            name = await _fetch_icon(fed, url)
        except (FederationError, ModelError) as exc:
            log.info("picture of %s not kept: %s", actor.uri, getattr(exc, "detail", exc))
    actor.icon_uri, actor.icon = url, name
    await actor.save(update_fields=["icon_uri", "icon"])
