"""Our people and the actors of other servers: finding one by handle (WebFinger), following a
twinning or a person, asking to join a twinning, and the answers. A follow of a person is kept
as a ``Subscription`` too, so one Accept, Reject and Undo path serves both."""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote

from federation.actors import person_uri
from federation.context import Federation
from federation.delivery import enqueue
from federation.errors import FederationError
from federation.fetch import FetchError
from federation.remote_actors import actor_for
from federation.serialize import answer
from federation.vocabulary import ACTIVITY_JSON, AS
from models import happenings
from models.accounts import Account
from models.config import is_loopback_host
from models.remote import RemoteActor, Subscription


class NotAGroup(FederationError):
    status = 400


async def resolve_actor(fed: Federation, text: str) -> RemoteActor:
    """``@name@host``, ``name@host`` or an actor URL, to a cached remote actor."""
    text = text.strip()
    uri = text if text.startswith(("https://", "http://")) else await _webfinger(fed, text)
    return await actor_for(fed, uri)


async def resolve(fed: Federation, text: str) -> RemoteActor:
    """``@name@host``, ``name@host`` or an actor URL, to a cached remote Group."""
    actor = await resolve_actor(fed, text)
    if actor.actor_type != "Group":
        raise NotAGroup("this address is not a twinning or group")
    return actor


async def _webfinger(fed: Federation, handle: str) -> str:
    name, _, host = handle.lstrip("@").partition("@")
    if not name or not host or "/" in host:
        raise NotAGroup("write a handle such as @twinning@example.org")
    local = fed.settings.allow_private_addresses and is_loopback_host(host)
    scheme = "http" if local else "https"
    url = f"{scheme}://{host}/.well-known/webfinger?resource={quote(f'acct:{name}@{host}')}"
    answer = await fed.client.request("GET", url, headers={"Accept": "application/jrd+json"})
    if answer.status != 200:
        raise FetchError(f"{host} does not know {handle}")
    try:
        links = json.loads(answer.body).get("links", [])
        return next(
            link["href"]
            for link in links
            if link.get("rel") == "self"
            and link.get("type", ACTIVITY_JSON)
            in (
                ACTIVITY_JSON,
                'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
            )
        )
    except (ValueError, AttributeError, StopIteration, KeyError, TypeError) as exc:
        raise FetchError(f"{host} gave no ActivityPub address for {handle}") from exc


async def subscribe(fed: Federation, account: Account, group: RemoteActor, kind: str) -> None:
    """Sends the person's Follow (of a twinning or a person) or Join (of a twinning); the
    subscription waits for the other side's Accept."""
    actor = person_uri(fed.settings, account.username)
    activity_id = f"{actor}#{kind}s/{uuid.uuid4().hex}"
    existing = await Subscription.get_or_none(account=account, group=group, kind=kind)
    if existing is not None and existing.state == "accepted":
        return
    activity = {
        "@context": AS,
        "id": activity_id,
        "type": kind.capitalize(),
        "actor": actor,
        "object": group.uri,
        "to": [group.uri],
    }
    async with happenings.acting():
        if existing is not None:
            await existing.delete()
        await Subscription.create(account=account, group=group, kind=kind, activity_uri=activity_id)
        await enqueue(activity, "person", account.id, actor + "#main-key", [group.inbox])


async def unsubscribe(fed: Federation, account: Account, group: RemoteActor, kind: str) -> None:
    """Undoes the person's Follow, or leaves (a join, asked or granted), and forgets it at
    once; the group hears it."""
    existing = await Subscription.get_or_none(account=account, group=group, kind=kind)
    if existing is None:
        return
    async with happenings.acting():
        await existing.delete()
        if kind == "join":
            await happenings.left_remote(account.id, group, existing.activity_uri)
            return
        actor = person_uri(fed.settings, account.username)
        follow_uri = existing.activity_uri
        undone = {"id": follow_uri, "type": "Follow", "actor": actor, "object": group.uri}
        activity = {
            "@context": AS,
            "id": f"{existing.activity_uri}/undo",
            "type": "Undo",
            "actor": actor,
            "object": undone,
            "to": [group.uri],
        }
        await enqueue(activity, "person", account.id, actor + "#main-key", [group.inbox])


async def answer_invitation(
    fed: Federation, account: Account, invitation: Subscription, accept: bool
) -> None:
    """Our person's answer to a group's ``Invite``: an accepted one makes them a member (the
    group counts them once it has the Accept), a declined one is forgotten."""
    group = await RemoteActor.get(id=invitation.group_id)
    actor = person_uri(fed.settings, account.username)
    decision = answer(actor, accept, invitation.activity_uri, group.uri)
    async with happenings.acting():
        await enqueue(decision, "person", account.id, actor + "#main-key", [group.inbox])
        if accept:
            invitation.state = "accepted"
            await invitation.save(update_fields=["state"])
        else:
            await invitation.delete()


async def subscribed_groups(account: Account) -> list[Subscription]:
    """The twinnings of other servers the person follows or belongs to (not the people)."""
    return (
        await Subscription.filter(account=account, group__actor_type="Group")
        .prefetch_related("group")
        .order_by("-id")
    )
