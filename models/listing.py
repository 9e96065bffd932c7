"""What public lists leave out: items of silenced accounts (ours or other servers'; Mastodon
calls it "limit"). The home page's feed, the public and hashtag timelines, the directory and
search, a twinning's feed and its Atom feed all narrow their ``visible_items`` query here.

Silencing never widens anything: ``listed`` only ever removes rows from a query built on the
visibility rule, and the items stay reachable by their address. Who has chosen to hear the
person still does: members of the item's twinning (here, or another server's twinning joined
from here), the person's followers here, and the person themselves."""

from __future__ import annotations

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from models.accounts import Account
from models.content import ContentItem
from models.remote import RemoteActor, Subscription
from models.social import LocalFollow
from models.twinnings import Membership


def _silenced() -> Q:
    local = Subquery(Account.filter(silenced_at__not_isnull=True).values("id"))
    remote = Subquery(RemoteActor.filter(silenced_at__not_isnull=True).values("id"))
    # Spelled with "not null" so that SQL's NULL IN (...) never hides an item by accident.
    return Q(author_id__not_isnull=True, author_id__in=local) | Q(
        remote_author_id__not_isnull=True, remote_author_id__in=remote
    )


def _still_heard_by(viewer: Account) -> Q:
    """The items of a silenced author that ``viewer`` still gets in lists."""
    twinnings = Membership.filter(account_id=viewer.id, state="accepted").values("twinning_id")
    people = LocalFollow.filter(account_id=viewer.id, target_type="person").values("target_id")
    followed = Subscription.filter(account_id=viewer.id, state="accepted").values("group_id")
    return (
        Q(author_id=viewer.id)
        | Q(twinning_id__in=Subquery(twinnings))
        | Q(author_id__in=Subquery(people))
        | Q(remote_author_id__in=Subquery(followed))
        | Q(remote_twinning_id__in=Subquery(followed))
    )


def listed(query: QuerySet[ContentItem], viewer: Account | None) -> QuerySet[ContentItem]:
    """``query`` (items through the visibility rule) without what silenced accounts posted,
    unless ``viewer`` is among those who still hear them."""
    if viewer is not None and viewer.is_active:
        return query.filter(~_silenced() | _still_heard_by(viewer))
    return query.filter(~_silenced())
