"""Our data in the JSON shapes of Mastodon's documentation (Account, Status, Relationship,
Notification, MediaAttachment), with every field clients rely on present.

Account ids are opaque strings that say what they name: ``p12`` a person of this instance,
``t3`` a twinning (``group: true``), ``o5`` an organisation, ``r44`` an actor of another server.
Status ids are item ids, so they sort by age as clients expect."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import Any

from federation.actors import person_uri, twinning_uri
from federation.local import uri_from
from models.accounts import Account
from models.blocking import NO_STANCE, stance
from models.config import Settings
from models.content import ContentItem
from models.langmap import pick
from models.lookup import record_id
from models.markup import markdown_to_html, to_html
from models.media import MediaFile
from models.organisations import Organisation
from models.pictures import picture_url
from models.remote import RemoteActor, Subscription, netloc_of
from models.social import LocalFollow
from models.twinnings import Membership, Twinning
from server.api.facts import ActorFigures, Facts, actor_figures, status_facts
from server.api.polls import poll_entity

Actor = Account | Twinning | Organisation | RemoteActor
PREFIX = {Account: "p", Twinning: "t", Organisation: "o", RemoteActor: "r"}
FOLLOW_TYPE = {Account: "person", Twinning: "twinning", Organisation: "organisation"}


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def account_id(actor: Actor) -> str:
    return f"{PREFIX[type(actor)]}{actor.id}"


async def actor_by_id(api_id: str) -> Actor | None:
    """The actor an API account id names, or None."""
    kind, number = api_id[:1], record_id(api_id[1:])
    if number is None:
        return None
    models: dict[str, type[Actor]] = {
        "p": Account,
        "t": Twinning,
        "o": Organisation,
        "r": RemoteActor,
    }
    model = models.get(kind)
    if model is None:
        return None
    found = await model.get_or_none(id=number)
    if isinstance(found, Account) and found.state != "active":
        return None
    return found


@dataclass
class Viewing:
    """Who is looking, in which language: the context every entity is drawn in."""

    settings: Settings
    viewer: Account | None
    language: str
    # Within one answer an author appears on many statuses; drawn once.
    _accounts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def static(self, name: str) -> str:
        return f"{self.settings.base_url}/static/{name}"

    def picture(self, name: str, default: str = "avatar.png") -> str:
        """One of our pictures (a name in ``models.pictures``), or the instance's default."""
        return picture_url(self.settings.base_url, name) if name else self.static(default)

    def faces(self, avatar: str, header: str = "") -> dict[str, str]:
        """Mastodon's four picture fields: the actor's own, the instance's defaults without."""
        return {
            "avatar": self.picture(avatar),
            "avatar_static": self.picture(avatar),
            "header": self.picture(header, "header.png"),
            "header_static": self.picture(header, "header.png"),
        }


def _base(view: Viewing, actor_id: str, username: str, acct: str, url: str) -> dict[str, Any]:
    return {
        "id": actor_id,
        "username": username,
        "acct": acct,
        "url": url,
        "uri": url,
        "display_name": username,
        "note": "",
        **view.faces(""),
        "locked": False,
        "fields": [],
        "emojis": [],
        "bot": False,
        "group": False,
        "discoverable": True,
        "indexable": False,
        "noindex": False,
        "hide_collections": False,
        "created_at": None,
        "last_status_at": None,
        "statuses_count": 0,
        "followers_count": 0,
        "following_count": 0,
        "roles": [],
    }


async def account_entities(view: Viewing, actors: list[Actor]) -> list[dict[str, Any]]:
    """Actors as Accounts; their figures are read for all of them at once, and each actor is
    drawn once per answer (an author appears on many statuses)."""
    fresh = [a for a in actors if account_id(a) not in view._accounts]
    if fresh:
        figures = await actor_figures(fresh)
        for actor in fresh:
            view._accounts[account_id(actor)] = _draw_account(view, actor, figures)
    return [dict(view._accounts[account_id(a)]) for a in actors]


async def account_entity(view: Viewing, actor: Actor) -> dict[str, Any]:
    return (await account_entities(view, [actor]))[0]


def _draw_account(view: Viewing, actor: Actor, figures: ActorFigures) -> dict[str, Any]:
    if isinstance(actor, Account):
        return _person(view, actor, figures)
    if isinstance(actor, Twinning):
        return _twinning(view, actor, figures)
    if isinstance(actor, Organisation):
        return _organisation(view, actor, figures)
    return _remote(view, actor)


def _person(view: Viewing, account: Account, figures: ActorFigures) -> dict[str, Any]:
    url = person_uri(view.settings, account.username)
    key = account_id(account)
    entity = _base(view, key, account.username, account.username, url)
    entity.update(view.faces(account.avatar))
    entity.update(
        display_name=account.name,
        note=markdown_to_html(account.bio),
        created_at=iso(account.created_at),
        last_status_at=figures.last_status.get(key),
        statuses_count=figures.statuses.get(key, 0),
        followers_count=figures.followers.get(key, 0),
        following_count=figures.following.get(key, 0),
    )
    return entity


def _twinning(view: Viewing, twinning: Twinning, figures: ActorFigures) -> dict[str, Any]:
    url = twinning_uri(view.settings, twinning.slug)
    key = account_id(twinning)
    entity = _base(view, key, twinning.slug, twinning.slug, url)
    _, title = pick(twinning.title_map, view.language, twinning.primary_language)
    _, summary = pick(twinning.summary_map, view.language, twinning.primary_language)
    entity.update(view.faces(twinning.picture, twinning.picture))
    entity.update(
        display_name=title,
        note=markdown_to_html(summary),
        group=True,
        locked=twinning.join_policy != "open",
        created_at=iso(twinning.created_at),
        last_status_at=figures.last_status.get(key),
        statuses_count=figures.statuses.get(key, 0),
        followers_count=figures.followers.get(key, 0),
        fields=[
            {"name": "fields", "value": ", ".join(twinning.fields_of_action), "verified_at": None},
            {"name": "countries", "value": ", ".join(twinning.countries), "verified_at": None},
        ],
    )
    return entity


def _organisation(view: Viewing, org: Organisation, figures: ActorFigures) -> dict[str, Any]:
    url = f"{view.settings.base_url}/o/{org.slug}"
    entity = _base(view, account_id(org), org.slug, org.slug, url)
    _, description = pick(org.description_map, view.language)
    entity.update(view.faces(org.logo))
    entity.update(
        display_name=org.name,
        note=markdown_to_html(description),
        created_at=iso(org.created_at),
        followers_count=figures.followers.get(account_id(org), 0),
        fields=[{"name": "country", "value": org.country, "verified_at": None}],
    )
    return entity


def _remote(view: Viewing, actor: RemoteActor) -> dict[str, Any]:
    username = actor.handle.lstrip("@").split("@")[0] or actor.uri.rstrip("/").rsplit("/")[-1]
    acct = f"{username}@{netloc_of(actor.uri)}"
    entity = _base(view, account_id(actor), username, acct, actor.url or actor.uri)
    entity.update(view.faces(actor.icon))
    entity.update(
        uri=actor.uri,
        display_name=actor.name or username,
        group=actor.actor_type == "Group",
        bot=actor.actor_type in ("Service", "Application"),
        created_at=iso(actor.fetched_at),
    )
    return entity


def author_of(item: ContentItem, facts: Facts) -> Actor:
    if item.author_id is not None:
        return facts.accounts[item.author_id]
    return facts.remotes[item.remote_author_id or item.remote_twinning_id or 0]


def answered(item: ContentItem) -> int | None:
    """The item an answer answers: the answer it is nested under, else its thread's root."""
    return item.parent_id or item.in_reply_to_id


def _author_key(item: ContentItem) -> str:
    if item.author_id is not None:
        return f"p{item.author_id}"
    return f"r{item.remote_author_id or item.remote_twinning_id}"


def item_addresses(view: Viewing, item: ContentItem, facts: Facts) -> tuple[str, str]:
    """(uri, url) of an item: its ActivityPub id and its web page."""
    root = facts.related.get(item.in_reply_to_id) if item.in_reply_to_id else None
    holder = root or item
    twinning = facts.twinnings.get(holder.twinning_id) if holder.twinning_id else None
    uri = uri_from(view.settings, item, root, twinning, facts.accounts.get(item.author_id or 0))
    if item.uri or item.in_reply_to_id is None:
        return uri, uri
    return uri, f"{uri.rsplit('/replies/', 1)[0]}#reply-{item.id}"


def item_html(item: ContentItem, language: str) -> tuple[str, str]:
    """(language, HTML) in the reader's language when the item has it; a title leads."""
    lang, text = pick(item.content_map, language, item.primary_language)
    html = to_html(text, item.content_format)
    _, title = pick(item.title_map, lang, item.primary_language)
    if title:
        html = f"<p><strong>{escape(title)}</strong></p>" + html
    return lang, html


def visibility_of(item: ContentItem) -> str:
    """Partner-only reads as ``private`` (members only, the closest Mastodon shape); a
    non-public post outside any twinning is a ``direct`` message to the people it names."""
    if item.visibility == "public":
        return "public"
    if item.twinning_id is None and item.remote_twinning_id is None and item.in_reply_to_id is None:
        return "direct"
    return "private"


def _dimensions(width: int | None, height: int | None) -> dict[str, Any] | None:
    if not width or not height:
        return None
    return {"width": width, "height": height, "size": f"{width}x{height}", "aspect": width / height}


def media_entity(view: Viewing, media: MediaFile) -> dict[str, Any]:
    """Pictures carry their size, a thumbnail and a blurhash (what apps show while loading);
    a picture stored before they were made has its own file as preview and an empty ``meta``."""
    url = f"{view.settings.base_url}/media/{media.name}"
    preview = f"{view.settings.base_url}/media/{media.preview_name}" if media.preview_name else url
    sizes = {
        "original": _dimensions(media.width, media.height),
        "small": _dimensions(media.preview_width, media.preview_height),
    }
    return {
        "id": str(media.id),
        "type": media.kind,
        "url": url,
        "preview_url": preview if media.kind == "image" else None,
        "remote_url": None,
        "text_url": None,
        "meta": {key: value for key, value in sizes.items() if value},
        "description": media.description or None,
        "blurhash": media.blurhash,
    }


def _mentions(view: Viewing, item: ContentItem, facts: Facts) -> list[dict[str, Any]]:
    if item.twinning_id is None:
        return []
    twinning = facts.twinnings[item.twinning_id]
    url = twinning_uri(view.settings, twinning.slug)
    return [{"id": f"t{twinning.id}", "username": twinning.slug, "acct": twinning.slug, "url": url}]


def _poll(item: ContentItem, facts: Facts) -> dict[str, Any] | None:
    poll = facts.polls.get(item.id)
    return poll_entity(poll, facts.own_votes.get(poll.id)) if poll is not None else None


def _draw_status(
    view: Viewing, item: ContentItem, facts: Facts, account: dict[str, Any]
) -> dict[str, Any]:
    uri, url = item_addresses(view, item, facts)
    lang, html = item_html(item, view.language)
    reply_to = facts.related.get(answered(item) or 0)
    return {
        "id": str(item.id),
        "uri": uri,
        "url": url or None,
        "created_at": iso(item.created_at),
        "edited_at": iso(item.updated_at),
        "account": account,
        "content": html,
        "text": None,
        "visibility": visibility_of(item),
        "sensitive": item.sensitive,
        "spoiler_text": item.spoiler_text,
        "language": lang or None,
        "in_reply_to_id": str(reply_to.id) if reply_to else None,
        "in_reply_to_account_id": _author_key(reply_to) if reply_to else None,
        "replies_count": facts.replies.get(item.id, 0),
        "reblogs_count": facts.reblogs.get(item.id, 0),
        "favourites_count": facts.likes.get(item.id, 0),
        "quotes_count": 0,
        "reblog": None,
        "application": None,
        "media_attachments": [media_entity(view, m) for m in facts.media.get(item.id, [])],
        "mentions": _mentions(view, item, facts),
        "tags": [],
        "emojis": [],
        "card": None,
        "poll": _poll(item, facts),
        "filtered": [],
        "favourited": item.id in facts.favourited,
        "reblogged": item.id in facts.reblogged,
        "bookmarked": item.id in facts.bookmarked,
        "muted": False,
        "pinned": False,
    }


async def statuses(view: Viewing, items: list[ContentItem]) -> list[dict[str, Any]]:
    """Items as Statuses. Callers have chosen the items through the visibility rule; nothing
    here widens it."""
    if not items:
        return []
    facts = await status_facts(view.viewer, items)
    authors = await account_entities(view, [author_of(item, facts) for item in items])
    return [_draw_status(view, i, facts, a) for i, a in zip(items, authors, strict=True)]


async def status_entity(view: Viewing, item: ContentItem) -> dict[str, Any]:
    return (await statuses(view, [item]))[0]


async def relationship(viewer: Account, actor: Actor) -> dict[str, Any]:
    following = requested = followed_by = False
    if isinstance(actor, RemoteActor):  # a member of a twinning follows it too
        subs = await Subscription.filter(account=viewer, group=actor)
        following = any(s.state == "accepted" for s in subs)
        requested = not following and any(s.state == "pending" for s in subs)
    else:
        kind = FOLLOW_TYPE[type(actor)]
        following = await LocalFollow.filter(
            account=viewer, target_type=kind, target_id=actor.id
        ).exists()
    if isinstance(actor, Account):
        followed_by = await LocalFollow.filter(
            account=actor, target_type="person", target_id=viewer.id
        ).exists()
    member = (
        isinstance(actor, Twinning)
        and await Membership.filter(state="accepted", twinning=actor, account=viewer).exists()
    )
    return {
        "id": account_id(actor),
        "following": following or bool(member),
        "showing_reblogs": True,
        "notifying": False,
        "languages": None,
        "followed_by": followed_by,
        "requested": requested,
        "requested_by": False,
        **(await stance(viewer, actor) if isinstance(actor, Account | RemoteActor) else NO_STANCE),
        "endorsed": False,
        "note": "",
    }
