"""An ``Update`` of one of our actors, sent when it shows itself otherwise (a new picture), so
that servers which keep a copy of its document fetch or take the new one: Mastodon refreshes
an actor's avatar on such an Update. It goes to the actor's followers and, for a twinning,
to its members on other servers; for a person, also to the servers of the twinnings' members
where their posts are shown."""

from __future__ import annotations

from typing import Any

from federation.actors import organisation_document, person_document, twinning_document
from federation.context import Federation
from federation.delivery import enqueue
from federation.serialize import activity
from federation.vocabulary import PUBLIC
from models.accounts import Account
from models.follows import follower_inboxes
from models.organisations import Organisation
from models.remote_members import remote_members
from models.twinnings import Membership, Twinning

MAX_TWINNINGS = 100  # a person's twinnings whose remote members are told


async def _document(fed: Federation, actor_type: str, actor_id: int) -> dict[str, Any] | None:
    settings = fed.settings
    if actor_type == "person":
        account = await Account.get_or_none(id=actor_id, state="active")
        return await person_document(settings, account) if account else None
    if actor_type == "twinning":
        twinning = await Twinning.get_or_none(id=actor_id)
        return await twinning_document(settings, twinning) if twinning else None
    org = await Organisation.get_or_none(id=actor_id)
    return await organisation_document(settings, org) if org else None


async def _members_inboxes(twinning_ids: list[int]) -> set[str]:
    inboxes: set[str] = set()
    for twinning_id in twinning_ids:
        inboxes |= {actor.delivery_inbox for actor in await remote_members(twinning_id)}
    return inboxes


async def _inboxes(actor_type: str, actor_id: int) -> list[str]:
    inboxes = set(await follower_inboxes(actor_type, actor_id))
    if actor_type == "twinning":
        inboxes |= await _members_inboxes([actor_id])
    elif actor_type == "person":
        rows = await Membership.filter(account_id=actor_id, state="accepted").limit(MAX_TWINNINGS)
        inboxes |= await _members_inboxes([row.twinning_id for row in rows])
    return sorted(inboxes)


async def send_actor_update(fed: Federation, actor_type: str, actor_id: int, token: str) -> None:
    document = await _document(fed, actor_type, actor_id)
    inboxes = await _inboxes(actor_type, actor_id)
    if document is None or not inboxes:
        return
    uri = document["id"]
    update = activity("Update", f"{uri}#updates/{token}", uri, document, [PUBLIC], [])
    update["cc"] = [document["followers"]]
    await enqueue(update, actor_type, actor_id, f"{uri}#main-key", inboxes)
