"""Posts of people of other servers that our people follow (their home timeline, as Mastodon
has it).

The rule, ``followed_reach``: a post sent by its own author is kept when someone here follows
that author (an accepted follow) and the post is addressed to Public or to the author's
followers collection. A public post is public; a followers-only one reaches exactly our people
who follow the author, and those it names, by name. Nothing else widens: a post addressed to a
twinning's members (partner-only) is no post to followers, and is left to the rules for
twinnings (``notes``, ``group_items``), which run first."""

from __future__ import annotations

from typing import Any

from federation.context import Federation
from federation.handlers.keeping import is_public, keep, language_map, mention_hrefs
from federation.handlers.threads import people_named
from models import happenings
from models.content import ContentItem
from models.remote import RemoteActor, Subscription


async def followers_here(author: RemoteActor) -> list[int]:
    """Our people whose follow of ``author`` was accepted."""
    rows: list[Any] = await Subscription.filter(
        group=author, kind="follow", state="accepted"
    ).values_list("account_id", flat=True)
    return sorted(rows)


def followed_reach(author_uri: str, addresses: list[str]) -> str | None:
    """``public``, ``followers`` or None (not a post to the author's followers). The followers
    collection is named as Mastodon, Pleroma, GoToSocial and Jumelage name it."""
    if is_public(addresses):
        return "public"
    if f"{author_uri}/followers" in addresses:
        return "followers"
    return None


async def store(
    fed: Federation, obj: dict[str, Any], activity: dict[str, Any], addresses: list[str]
) -> bool:
    """Keeps a followed person's post; False when the rule does not take it (then the caller
    tries the others)."""
    author = await RemoteActor.get_or_none(uri=activity["actor"])  # following cached them
    reach = followed_reach(activity["actor"], addresses)
    if author is None or reach is None:
        return False
    followers = await followers_here(author)
    if not followers:
        return False
    content = language_map(obj, "content", "en", html=True)
    if not content:
        return True  # for us, but nothing to show
    named = await people_named(fed.settings, [*addresses, *mention_hrefs(obj)])
    readers = named if reach == "public" else sorted(set(named) | set(followers))

    async def then(item: ContentItem) -> None:
        await happenings.arrived(item, author, mentioned=named)

    await keep(obj, content, addresses, "en", then, mentioned=readers, remote_author=author)
    return True
