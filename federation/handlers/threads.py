"""Answers from other servers, in our threads and in threads of other servers we hold.

- In our threads: kept when their author may see the thread; they reach the thread's audience,
  and when the thread is a twinning's the twinning passes the answer on to its other members
  and followers (FEP-1b12), partner-only answers to members only, by name.
- In a thread another server's twinning shared with us: kept when that twinning brings it (its
  own ``Announce``), or its author is the thread's; a public thread's answers are public, a
  partner-only one's reach exactly the people here the twinning addressed them to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from federation.context import Federation
from federation.handlers.keeping import keep, language_map, mention_hrefs
from federation.local import local_item, local_target, object_uri
from federation.remote_actors import actor_for
from models import happenings
from models.config import Settings
from models.content import ContentItem
from models.remote import RemoteActor
from models.visibility import may_remote_actor_view


@dataclass(frozen=True)
class Answered:
    root: ContentItem
    parent: ContentItem | None


async def answered(settings: Settings, obj: dict[str, Any]) -> Answered | None:
    """The thread an object answers, ours or one we hold; threads are stored flat under their
    first item, the answer answered kept as ``parent``."""
    uri = object_uri(obj.get("inReplyTo"))
    if not uri:
        return None
    found = await local_item(settings, uri) or await ContentItem.get_or_none(uri=uri)
    if found is None:
        return None
    if found.in_reply_to_id is not None:
        return Answered(await ContentItem.get(id=found.in_reply_to_id), found)
    return Answered(found, None)


async def people_named(settings: Settings, uris: list[str]) -> list[int]:
    """Our people among ``uris``."""
    people = []
    for uri in uris:
        target = await local_target(settings, uri)
        if target is not None and target.actor_type == "person":
            people.append(target.actor_id)
    return sorted(set(people))


def _origin(uri: object) -> str:
    parts = urlsplit(uri if isinstance(uri, str) else "")
    return f"{parts.scheme}://{parts.netloc}"


async def _vouched(root: ContentItem, activity: dict[str, Any], via: dict[str, Any] | None) -> bool:
    """Who may add to another server's thread here: its twinning (by its own Announce, or one
    of that server's people), or the thread's author."""
    holders = await RemoteActor.filter(
        id__in=[i for i in (root.remote_twinning_id, root.remote_author_id) if i is not None]
    )
    uris = {h.uri for h in holders}
    if via is not None and via.get("actor") in uris:
        return True
    group = next((h for h in holders if h.id == root.remote_twinning_id), None)
    if group is not None and _origin(activity["actor"]) == _origin(group.uri):
        return True
    return activity["actor"] in uris


async def store_answer(
    fed: Federation,
    thread: Answered,
    obj: dict[str, Any],
    activity: dict[str, Any],
    via: dict[str, Any] | None,
    addresses: list[str],
) -> None:
    root = thread.root
    if root.uri is None:
        await _answer_in_ours(fed, thread, obj, activity)
    elif await _vouched(root, activity, via):
        await _answer_in_theirs(fed, thread, obj, activity, addresses)


async def _answer_in_ours(
    fed: Federation, thread: Answered, obj: dict[str, Any], activity: dict[str, Any]
) -> None:
    root = thread.root
    if not await may_remote_actor_view(activity["actor"], root):
        return
    actor = await actor_for(fed, activity["actor"])
    content = language_map(obj, "content", root.primary_language, html=True)
    if not content:
        return
    tagged = await people_named(fed.settings, mention_hrefs(obj))
    reshare = activity if root.twinning_id is not None else None

    async def then(reply: ContentItem) -> None:
        await happenings.arrived(reply, actor, mentioned=tagged, reshare=reshare)

    await keep(
        obj,
        content,
        [],
        root.primary_language,
        then,
        visibility=root.visibility,
        kind="reply",
        in_reply_to=root,
        parent=thread.parent,
        remote_author=actor,
    )


async def _answer_in_theirs(
    fed: Federation,
    thread: Answered,
    obj: dict[str, Any],
    activity: dict[str, Any],
    addresses: list[str],
) -> None:
    root = thread.root
    author = await actor_for(fed, activity["actor"])
    content = language_map(obj, "content", root.primary_language, html=True)
    if not content:
        return
    addressed = await people_named(fed.settings, [*addresses, *mention_hrefs(obj)])
    tagged = await people_named(fed.settings, mention_hrefs(obj))

    async def then(reply: ContentItem) -> None:
        await happenings.arrived(reply, author, mentioned=tagged)

    await keep(
        obj,
        content,
        addresses,
        root.primary_language,
        then,
        visibility=root.visibility,
        mentioned=addressed,
        kind="reply",
        in_reply_to=root,
        parent=thread.parent,
        remote_author=author,
    )
