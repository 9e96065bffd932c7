"""Files that a twinning of another server shares with our people (a document, a photo): kept
here, fetched once with the signature of one of our members of that twinning, because its
server serves partner-only files to members' signed requests only. Our people then download
them from us, through the visibility rule like any of our files."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from federation.actors import person_uri
from federation.context import Federation
from federation.errors import FederationError
from models.accounts import Account
from models.content import ContentItem
from models.errors import ModelError
from models.media import MAX_DOCUMENT, attach, store_media
from models.remote import RemoteActor, Subscription

log = logging.getLogger(__name__)
MAX_FILES = 4
FILE_TYPES = ("Document", "Image")


def _files(obj: dict[str, Any]) -> list[tuple[str, str]]:
    """(url, description) of the object's files on its own server (never a third party's)."""
    value = obj.get("attachment")
    found = []
    for entry in value if isinstance(value, list) else [value]:
        if not isinstance(entry, dict) or entry.get("type") not in FILE_TYPES:
            continue
        url = entry.get("url")
        url = url.get("href") if isinstance(url, dict) else url
        if isinstance(url, str) and urlsplit(url).netloc == urlsplit(obj["id"]).netloc:
            name = entry.get("name")
            found.append((url, name[:1500] if isinstance(name, str) else ""))
    return found[:MAX_FILES]


async def copy_files(
    fed: Federation, item: ContentItem, obj: dict[str, Any], group: RemoteActor
) -> int:
    """Returns how many files were kept; a file that cannot be fetched or is of a refused
    type is skipped (the post itself stays)."""
    files = _files(obj)
    if not files:
        return 0
    member = await (
        Subscription.filter(group=group, kind="join", state="accepted")
        .order_by("id")
        .first()
        .prefetch_related("account")
    )
    keeper: Account | None = member.account if member else None  # type: ignore[assignment]
    if keeper is None:
        return 0
    signer = await fed.signer_for("person", keeper.id, person_uri(fed.settings, keeper.username))
    kept = []
    for url, description in files:
        try:
            fetched = await fed.client.request("GET", url, signer=signer, max_bytes=MAX_DOCUMENT)
            if fetched.status != 200:
                raise FederationError(f"{url} answered {fetched.status}")
            media = await store_media(
                keeper, fed.settings.data_dir, fetched.body, description, office=True
            )
        except (FederationError, ModelError) as exc:
            log.info("file %s of %s not kept: %s", url, obj["id"], exc)
            continue
        kept.append(media.id)
    await attach(item, kept)
    return len(kept)
