"""Posts of twinnings of other servers that our people follow or belong to.

Only the twinning puts items in its feed here: its own ``Announce`` (FEP-1b12) or a post by one
of its own server's people addressed to it; anybody else addressing a post to the group adds
nothing. A public item is for everyone; a partner-only one for exactly the people here it is
addressed to by name (the twinning addresses its members one by one), never for whoever this
server believes belongs to the twinning."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from federation.attachments import copy_files
from federation.context import Federation
from federation.handlers.keeping import keep, language_map, mention_hrefs
from federation.handlers.threads import people_named
from federation.remote_actors import actor_for
from models import happenings
from models.content import ContentItem
from models.remote import RemoteActor


def _origin(uri: object) -> str:
    parts = urlsplit(uri if isinstance(uri, str) else "")
    return f"{parts.scheme}://{parts.netloc}"


async def group_bringing(
    addresses: list[str], activity: dict[str, Any], via: dict[str, Any] | None
) -> RemoteActor | None:
    """The followed twinning a post is addressed to, when that twinning is what brings it."""
    group = await RemoteActor.filter(
        uri__in=addresses, actor_type="Group", subscribers__state="accepted"
    ).first()
    if group is None:
        return None
    if via is not None and via.get("actor") == group.uri:
        return group
    return group if _origin(activity["actor"]) == _origin(group.uri) else None


async def store(
    fed: Federation, group: RemoteActor, obj: dict[str, Any], addresses: list[str]
) -> None:
    author = await actor_for(fed, obj["attributedTo"])
    content = language_map(obj, "content", "en", html=True)
    if not content:
        return
    addressed = await people_named(fed.settings, [*addresses, *mention_hrefs(obj)])
    tagged = await people_named(fed.settings, mention_hrefs(obj))

    async def then(item: ContentItem) -> None:
        await happenings.arrived(item, author, mentioned=tagged)

    item = await keep(
        obj,
        content,
        addresses,
        "en",
        then,
        mentioned=addressed,
        remote_twinning=group,
        remote_author=author,
    )
    if item is not None:
        await copy_files(fed, item, obj, group)
