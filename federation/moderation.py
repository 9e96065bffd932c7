"""What moderation sends to other servers: a report forwarded as a ``Flag`` and a warning to
one of their people, both from the instance actor (as Mastodon forwards reports: the
reporter's name stays here) and through the one delivery queue."""

from __future__ import annotations

from typing import Any

from federation.actors import instance_actor_uri
from federation.context import Federation
from federation.delivery import enqueue
from federation.local import uri_of
from federation.vocabulary import AS
from models.content import ContentItem
from models.reactions import Report
from models.remote import RemoteActor

MAX_OBJECTS = 50


async def _objects(fed: Federation, actor: RemoteActor, reports: list[Report]) -> list[str]:
    """The reported actor first, then each reported item's address, once each."""
    objects = [actor.uri]
    for report in reports:
        item = await ContentItem.get_or_none(id=report.item_id) if report.item_id else None
        uris = [await uri_of(fed.settings, item)] if item is not None else []
        objects += [u for u in (*uris, *report.targets) if u not in objects]
    return objects[:MAX_OBJECTS]


async def send_flag(fed: Federation, data: dict[str, Any], token: str) -> None:
    """Mastodon's shape: ``object`` lists the account and its statuses, ``content`` is the
    reporter's comment; sent to the reported actor's server (its shared inbox)."""
    actor = await RemoteActor.get_or_none(id=data["actor"])
    reports = await Report.filter(id__in=data["reports"]).order_by("id")
    if actor is None or not reports:
        return
    sender = instance_actor_uri(fed.settings)
    comments = [r.comment for r in reports if r.comment]
    flag = {
        "@context": AS,
        "id": f"{sender}#flags/{token}",
        "type": "Flag",
        "actor": sender,
        "content": comments[0] if comments else "",
        "object": await _objects(fed, actor, reports),
        "to": [actor.uri],
    }
    await enqueue(flag, "instance", 0, f"{sender}#main-key", [actor.delivery_inbox])


async def send_warning(fed: Federation, data: dict[str, Any], token: str) -> None:
    """A direct message to the warned person alone: no other address sees it."""
    actor = await RemoteActor.get_or_none(id=data["actor"])
    if actor is None:
        return
    sender = instance_actor_uri(fed.settings)
    note_id = f"{sender}#warnings/{token}"
    note = {
        "id": note_id,
        "type": "Note",
        "attributedTo": sender,
        "content": f"<p>{_escaped(data['note'])}</p>",
        "to": [actor.uri],
        "cc": [],
        "tag": [{"type": "Mention", "href": actor.uri, "name": f"@{actor.acct}"}],
    }
    create = {
        "@context": AS,
        "id": f"{note_id}/activity",
        "type": "Create",
        "actor": sender,
        "object": note,
        "to": [actor.uri],
        "cc": [],
    }
    await enqueue(create, "instance", 0, f"{sender}#main-key", [actor.inbox])


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
