"""Twinning membership across servers (FEP-1b12 ``Join``/``Leave``), as activities: our
twinnings' answers to people of other servers (Accept, Reject, Invite, Remove), and our
people leaving twinnings of other servers (Leave, with the Undo of their Join that some
servers expect). Membership exists only after the twinning's own Accept, and ends on both
sides when either side ends it. The worker calls these for recorded happenings."""

from __future__ import annotations

from federation.actors import person_uri, twinning_uri
from federation.context import Federation
from federation.delivery import enqueue
from federation.serialize import answer
from federation.vocabulary import AS
from models.accounts import Account
from models.remote import RemoteActor
from models.twinnings import Twinning


async def send_decision(
    fed: Federation, twinning: Twinning, actor: RemoteActor, join_uri: str, accepted: bool
) -> None:
    group = twinning_uri(fed.settings, twinning.slug)
    join = {"id": join_uri, "type": "Join", "actor": actor.uri, "object": group}
    decision = answer(group, accepted, join, actor.uri)
    await enqueue(decision, "twinning", twinning.id, group + "#main-key", [actor.inbox])


async def send_invite(
    fed: Federation, twinning: Twinning, actor: RemoteActor, invite_uri: str
) -> None:
    """``Invite`` as Mobilizon sends it: the group invites ``target`` into itself."""
    group = twinning_uri(fed.settings, twinning.slug)
    invite = {
        "@context": AS,
        "id": invite_uri,
        "type": "Invite",
        "actor": group,
        "object": group,
        "target": actor.uri,
        "to": [actor.uri],
    }
    await enqueue(invite, "twinning", twinning.id, group + "#main-key", [actor.inbox])


async def send_removal(fed: Federation, twinning: Twinning, actor: RemoteActor, token: str) -> None:
    """``Remove`` of the member from the group's members (as Mobilizon and Lemmy write it),
    to the member alone: their server ends the membership there too."""
    group = twinning_uri(fed.settings, twinning.slug)
    remove = {
        "@context": AS,
        "id": f"{group}#removes/{token}",
        "type": "Remove",
        "actor": group,
        "object": actor.uri,
        "target": f"{group}/members",
        "to": [actor.uri],
    }
    await enqueue(remove, "twinning", twinning.id, group + "#main-key", [actor.inbox])


async def send_leave(fed: Federation, account: Account, group: RemoteActor, join_uri: str) -> None:
    """``Leave`` (FEP-1b12) and ``Undo`` of the Join, for servers that read only one of them."""
    actor = person_uri(fed.settings, account.username)
    join = {"id": join_uri, "type": "Join", "actor": actor, "object": group.uri}
    leave = {"id": f"{join_uri}/leave", "type": "Leave", "actor": actor, "object": group.uri}
    undo = {"id": f"{join_uri}/undo", "type": "Undo", "actor": actor, "object": join}
    for activity in (leave, undo):
        document = {"@context": AS, **activity, "to": [group.uri]}
        await enqueue(document, "person", account.id, actor + "#main-key", [group.inbox])
