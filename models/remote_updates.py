"""Our people's updates to twinnings of other servers they belong to. The twinning lives there:
the update is delivered to it (``federation.remote_posts``) and it re-shares it to its
audience (FEP-1b12); here it is kept as the author's post in that twinning.

Who may see it here: a public update is public; a partner-only one only its author. This
server does not know who else belongs to the other server's twinning and never guesses: the
members here read it when that twinning passes it on to them by name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from models import happenings
from models.accounts import Account
from models.content import ContentItem, ContentWarning, item_search_text, texts_of
from models.errors import N_, Invalid, NotAllowed
from models.langmap import primary_of
from models.remote import RemoteActor, Subscription
from models.visibility import store_audience
from models.vocab import TWINNING_VISIBILITIES


async def is_member_afar(author: Account, group: RemoteActor) -> bool:
    """Membership of another server's twinning counts only after that twinning's Accept."""
    return await Subscription.filter(
        account=author, group=group, kind="join", state="accepted"
    ).exists()


async def post_remote_update(
    author: Account,
    group: RemoteActor,
    visibility: str,
    content: Mapping[str, str],
    language: str = "",
    warning: ContentWarning | None = None,
    mentioned: Sequence[Account] = (),
) -> ContentItem:
    """Only accepted members post, as in our own twinnings."""
    if not author.is_active or not await is_member_afar(author, group):
        raise NotAllowed("twinning", N_("only members may post updates"))
    if visibility not in TWINNING_VISIBILITIES:
        raise Invalid("visibility", N_("public or partners"))
    _, content_map = texts_of({}, content)
    item = ContentItem(
        kind="update",
        remote_twinning=group,
        author=author,
        visibility=visibility,
        title_map={},
        content_map=content_map,
        primary_language=primary_of(content_map, language),
        search_text=item_search_text({}, content_map),
        **(warning or ContentWarning()).fields(),
    )
    async with happenings.acting():
        await item.save()
        await store_audience(item)
        await happenings.posted(item, author, mentioned)
    return item
