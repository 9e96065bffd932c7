"""Accounts: the signed-in person, profiles of people, twinnings (``group: true``),
organisations and remote actors, following, relationships and follow requests (which, for a
twinning's moderators, are the requests to join it)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.routing import Route
from tortoise.expressions import Q

from federation.errors import FederationError
from federation.subscriptions import resolve_actor, subscribe, unsubscribe
from models.accounts import Account
from models.blocking import blocked_between
from models.config import LOCALES
from models.errors import Invalid
from models.follows import Follow
from models.handles import is_handle
from models.lookup import fits
from models.memberships import decide_request
from models.organisations import Organisation
from models.personal_blocks import AccountBlock
from models.pictures import set_avatar
from models.remote import RemoteActor, RemoteMembership, Subscription
from models.remote_members import decide_remote_request
from models.social import LocalFollow, follow_local, unfollow_local
from models.twinnings import Membership, Twinning
from models.visibility import may_see_follows, visible_items
from server.activitypub import federation_of
from server.api.core import ApiError, Call, endpoint, id_page, not_found, paged
from server.api.entities import (
    FOLLOW_TYPE,
    Actor,
    account_entity,
    account_id,
    actor_by_id,
    relationship,
    statuses,
)
from server.api.filters import screened
from server.api.statuses import viewing

MAX_NOTE = 2000


async def _credentials(call: Call) -> dict[str, Any]:
    me = call.user
    entity = await account_entity(viewing(call), me)
    entity["source"] = {
        "privacy": "public",
        "sensitive": False,
        "language": me.locale or call.settings.default_locale,
        "note": me.bio,
        "fields": [],
        "follow_requests_count": len(await _join_requests(me)),
    }
    entity["role"] = {
        "id": "1" if me.is_admin else "0",
        "name": "Admin" if me.is_admin else "",
        "permissions": "1" if me.is_admin else "0",
        "color": "",
        "highlighted": me.is_admin,
    }
    return entity


@endpoint("read:accounts")
async def verify_credentials(call: Call) -> Any:
    return await _credentials(call)


@endpoint("write:accounts")
async def update_credentials(call: Call) -> Any:
    me, p = call.user, call.params
    if p.has("display_name"):
        name = p.text("display_name").strip()
        if len(name) > 100:
            raise ApiError(422, "Validation failed: display_name is over 100 characters")
        me.display_name = name
    if p.has("note"):
        note = p.text("note")
        if len(note) > MAX_NOTE:
            raise ApiError(422, f"Validation failed: note is over {MAX_NOTE} characters")
        me.bio = note
    language = p.text("source[language]")
    if language:
        if language not in LOCALES:
            raise ApiError(422, "Validation failed: source[language] must be fr, en or es")
        me.locale = language
    avatar = p.form.get("avatar") if p.form is not None else None
    if isinstance(avatar, UploadFile):  # cleaned and cut as the settings page's upload
        try:
            await set_avatar(me, call.settings.data_dir, await avatar.read())
        except Invalid as exc:
            raise Invalid("avatar", exc.message, **exc.params) from None
    await me.save(update_fields=["display_name", "bio", "locale"])
    return await _credentials(call)


async def _actor(call: Call) -> Actor:
    actor = await actor_by_id(call.request.path_params["account_id"])
    if actor is None:
        raise not_found()
    return actor


@endpoint("read:accounts", public=True)
async def show(call: Call) -> Any:
    return await account_entity(viewing(call), await _actor(call))


async def find_local(name: str) -> Actor | None:
    name = name.lower()
    if not is_handle(name):
        return None
    return (
        await Account.get_or_none(username=name, state="active")
        or await Twinning.get_or_none(slug=name)
        or await Organisation.get_or_none(slug=name)
    )


async def by_acct(call: Call, acct: str, fetch: bool) -> Actor | None:
    """``name`` or ``name@our-domain`` for our actors; ``name@host`` for cached remote ones
    (fetched through WebFinger when ``fetch``)."""
    name, _, host = acct.strip().lstrip("@").partition("@")
    if not name:
        return None
    if not host or host.lower() == call.settings.domain:
        return await find_local(name)
    wanted = f"{name}@{host}".lower()
    if not (fits(RemoteActor, "handle", name) and fits(RemoteActor, "domain", host)):
        return None
    candidates = await RemoteActor.filter(handle=name, domain=host.lower().split(":")[0])
    remote = next((c for c in candidates if c.acct.lower() == wanted), None)
    if remote is None and fetch:
        remote = await resolve_remote(call, f"{name}@{host}")
    return remote


async def resolve_remote(call: Call, text: str) -> RemoteActor | None:
    """A remote handle or actor URL, looked up on its server (WebFinger, then the actor)."""
    try:
        return await resolve_actor(federation_of(call.request), text)
    except FederationError:  # unreachable host, unknown name: no result, as Mastodon does
        return None


@endpoint("read:accounts", public=True)
async def lookup(call: Call) -> Any:
    acct = call.params.text("acct")
    if not acct:
        raise ApiError(422, "Validation failed: acct is missing")
    actor = await by_acct(call, acct, fetch=False)
    if actor is None:
        raise not_found()
    return await account_entity(viewing(call), actor)


async def search_actors(call: Call, query: str, limit: int, resolve_remote: bool) -> list[Actor]:
    query = query.strip().lstrip("@")
    if not query:
        return []
    if "@" in query or query.startswith(("https://", "http://")):
        found = await (
            resolve_remote_actor(call, query) if resolve_remote else by_acct(call, query, False)
        )
        return [found] if found else []
    q = query.lower()
    actors: list[Actor] = []
    actors += await Twinning.filter(Q(slug__icontains=q) | Q(search_text__icontains=q)).limit(limit)
    actors += await Account.filter(
        Q(username__icontains=q) | Q(display_name__icontains=q), state="active"
    ).limit(limit)
    actors += await Organisation.filter(Q(slug__icontains=q) | Q(name__icontains=q)).limit(limit)
    return actors[:limit]


async def resolve_remote_actor(call: Call, query: str) -> Actor | None:
    if query.startswith(("https://", "http://")):
        return await resolve_remote(call, query)
    return await by_acct(call, query, fetch=True)


@endpoint("read:accounts")
async def search(call: Call) -> Any:
    limit = call.params.number("limit", 40, 1, 80)
    found = await search_actors(call, call.params.text("q"), limit, call.params.flag("resolve"))
    view = viewing(call)
    return [await account_entity(view, a) for a in found]


@endpoint("read:statuses", public=True)
async def account_statuses(call: Call) -> Any:
    actor = await _actor(call)
    if call.params.flag("pinned"):
        return []
    query = visible_items(call.account)
    if isinstance(actor, Account):
        query = query.filter(author_id=actor.id)
    elif isinstance(actor, Twinning):
        query = query.filter(twinning_id=actor.id)
    elif isinstance(actor, RemoteActor):
        query = query.filter(Q(remote_author_id=actor.id) | Q(remote_twinning_id=actor.id))
    else:
        return []
    if call.params.flag("exclude_replies"):
        query = query.filter(in_reply_to_id=None)
    if call.params.flag("only_media"):
        query = query.filter(media__id__not_isnull=True).distinct()
    items = await id_page(query, call.params)
    drawn = await screened(call.account, "account", items, await statuses(viewing(call), items))
    return paged(call, drawn, [i.id for i in items])


async def _may_list_follows(viewer: Account | None, actor: Actor) -> bool:
    if isinstance(actor, Account | Twinning):
        return await may_see_follows(viewer, actor)
    return False


@endpoint("read:accounts", public=True)
async def followers(call: Call) -> Any:
    actor = await _actor(call)
    if isinstance(actor, RemoteActor) or not await _may_list_follows(call.account, actor):
        return []
    kind = FOLLOW_TYPE[type(actor)]
    local = await LocalFollow.filter(target_type=kind, target_id=actor.id).values_list(
        "account_id", flat=True
    )
    found: list[Actor] = list(await Account.filter(id__in=list(local), state="active"))
    remote = await Follow.filter(target_type=kind, target_id=actor.id, state="accepted")
    found += await RemoteActor.filter(id__in=[f.follower_id for f in remote])
    view = viewing(call)
    return [await account_entity(view, a) for a in found[:80]]


@endpoint("read:accounts", public=True)
async def following(call: Call) -> Any:
    actor = await _actor(call)
    if not isinstance(actor, Account) or not await _may_list_follows(call.account, actor):
        return []
    found: list[Actor] = []
    for row in await LocalFollow.filter(account=actor):
        model: dict[str, type[Actor]] = {
            "person": Account,
            "twinning": Twinning,
            "organisation": Organisation,
        }
        target: Actor | None = await model[row.target_type].get_or_none(id=row.target_id)
        if target is not None:
            found.append(target)
    subs = await Subscription.filter(account=actor, state="accepted").prefetch_related("group")
    found += [s.group for s in subs]
    view = viewing(call)
    return [await account_entity(view, a) for a in found[:80]]


@endpoint("write:follows")
async def follow(call: Call) -> Any:
    actor, me = await _actor(call), call.user
    if isinstance(actor, Account) and actor.id == me.id:
        raise ApiError(403, "You cannot follow yourself")
    if isinstance(actor, Account) and await blocked_between(me, actor):
        raise ApiError(403, "This action is not allowed")
    if isinstance(actor, RemoteActor):  # a twinning or a person: requested until accepted
        if await AccountBlock.filter(account=me, target_remote=actor).exists():
            raise ApiError(403, "This action is not allowed")
        await subscribe(federation_of(call.request), me, actor, "follow")
    else:
        await follow_local(me, FOLLOW_TYPE[type(actor)], actor.id)
    return await relationship(me, actor)


@endpoint("write:follows")
async def unfollow(call: Call) -> Any:
    actor, me = await _actor(call), call.user
    if isinstance(actor, RemoteActor):  # apps show a joined twinning as followed: both end
        for kind in ("follow", "join"):
            await unsubscribe(federation_of(call.request), me, actor, kind)
    else:
        await unfollow_local(me, FOLLOW_TYPE[type(actor)], actor.id)
    return await relationship(me, actor)


@endpoint("read:follows")
async def relationships(call: Call) -> Any:
    result = []
    for raw in call.params.items("id")[:40]:
        actor = await actor_by_id(raw)
        if actor is not None:
            result.append(await relationship(call.user, actor))
    return result


@endpoint("read:follows")
async def familiar_followers(call: Call) -> Any:
    return [{"id": raw, "accounts": []} for raw in call.params.items("id")[:40]]


async def _moderated(me: Account) -> list[int]:
    rows: list[Any] = await Membership.filter(
        account=me, state="accepted", role__in=("admin", "moderator")
    ).values_list("twinning_id", flat=True)
    return list(rows)


async def _join_requests(me: Account) -> list[Membership | RemoteMembership]:
    twinnings = await _moderated(me)
    local: list[Membership | RemoteMembership] = list(
        await Membership.filter(twinning_id__in=twinnings, state="pending").order_by("-id")
    )
    remote = await RemoteMembership.filter(twinning_id__in=twinnings, state="pending")
    return local + list(remote)


async def _requester(m: Membership | RemoteMembership) -> Actor:
    if isinstance(m, Membership):
        return await Account.get(id=m.account_id)
    return await RemoteActor.get(id=m.actor_id)


@endpoint("read:follows")
async def follow_requests(call: Call) -> Any:
    """People asking to join a twinning the caller moderates."""
    view = viewing(call)
    found: dict[str, Any] = {}
    for m in await _join_requests(call.user):
        actor = await _requester(m)
        found.setdefault(account_id(actor), await account_entity(view, actor))
    return list(found.values())[: call.params.number("limit", 40, 1, 80)]


async def _decide(call: Call, accept: bool) -> Any:
    me = call.user
    wanted = call.request.path_params["account_id"]
    decided = None
    for m in await _join_requests(me):
        actor = await _requester(m)
        if account_id(actor) != wanted:
            continue
        twinning = await Twinning.get(id=m.twinning_id)
        if isinstance(m, Membership):
            assert isinstance(actor, Account)
            await decide_request(me, twinning, actor.username, accept)
        else:
            await decide_remote_request(me, twinning, m.id, accept)
        decided = actor
    if decided is None:
        raise not_found()
    return await relationship(me, decided)


@endpoint("write:follows")
async def authorize_request(call: Call) -> Any:
    return await _decide(call, True)


@endpoint("write:follows")
async def reject_request(call: Call) -> Any:
    return await _decide(call, False)


A = "/api/v1/accounts"
routes = [
    Route(f"{A}/verify_credentials", verify_credentials),
    Route(f"{A}/update_credentials", update_credentials, methods=["PATCH"]),
    Route(f"{A}/lookup", lookup),
    Route(f"{A}/search", search),
    Route(f"{A}/relationships", relationships),
    Route(f"{A}/familiar_followers", familiar_followers),
    Route(A + "/{account_id:account_id}", show),
    Route(A + "/{account_id:account_id}/statuses", account_statuses),
    Route(A + "/{account_id:account_id}/followers", followers),
    Route(A + "/{account_id:account_id}/following", following),
    Route(A + "/{account_id:account_id}/follow", follow, methods=["POST"]),
    Route(A + "/{account_id:account_id}/unfollow", unfollow, methods=["POST"]),
    Route("/api/v1/follow_requests", follow_requests),
    Route(
        "/api/v1/follow_requests/{account_id:account_id}/authorize",
        authorize_request,
        methods=["POST"],
    ),
    Route(
        "/api/v1/follow_requests/{account_id:account_id}/reject", reject_request, methods=["POST"]
    ),
]
