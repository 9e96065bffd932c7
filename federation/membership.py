"""Twinning membership across servers (FEP-1b12 ``Join``/``Leave``): the twinning's answers to
Join requests. Membership exists only after the twinning's own Accept."""

from __future__ import annotations

from federation.actors import twinning_uri
from federation.context import Federation
from federation.delivery import enqueue
from federation.serialize import answer
from federation.vocabulary import AS
from models.remote import RemoteActor, RemoteMembership
from models.twinnings import Twinning


async def send_decision(
    fed: Federation, twinning: Twinning, membership: RemoteMembership, accepted: bool
) -> None:
    actor: RemoteActor = await RemoteActor.get(id=membership.actor_id)
    group = twinning_uri(fed.settings, twinning.slug)
    join = {"id": membership.join_uri, "type": "Join", "actor": actor.uri, "object": group}
    decision = answer(group, accepted, join, actor.uri)
    await enqueue(decision, "twinning", twinning.id, group + "#main-key", [actor.inbox])


async def send_invite(fed: Federation, twinning: Twinning, membership: RemoteMembership) -> None:
    """``Invite`` as Mobilizon sends it: the group invites ``target`` into itself."""
    actor: RemoteActor = await RemoteActor.get(id=membership.actor_id)
    group = twinning_uri(fed.settings, twinning.slug)
    invite = {
        "@context": AS,
        "id": membership.join_uri,
        "type": "Invite",
        "actor": group,
        "object": group,
        "target": actor.uri,
        "to": [actor.uri],
    }
    await enqueue(invite, "twinning", twinning.id, group + "#main-key", [actor.inbox])
