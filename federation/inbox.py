"""The inbox: check everything about a POSTed activity, store it, answer 202. Processing happens
later in a worker (``federation.processing``), so a crash after 202 loses nothing.

A refused request leaves no row behind: nothing is written before every check has passed
(except the cache of the sender's actor document)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tortoise.exceptions import IntegrityError

from federation.context import Federation
from federation.errors import (
    ActorSuspended,
    DomainBlocked,
    FederationError,
    OriginMismatch,
    SignatureError,
)
from federation.fetch import origin_of
from federation.remote_actors import key_lookup
from federation.signatures import VerifiedKey, verify_request
from models.queues import InboxActivity
from models.remote import RemoteActor, block_of, mark_host_alive, netloc_of

log = logging.getLogger(__name__)
MAX_INBOX_BODY = 256 * 1024
MAX_DEPTH = 20


class Malformed(FederationError):
    status = 400


class TooLarge(FederationError):
    status = 413


@dataclass(frozen=True)
class InboundPost:
    url: str  # our canonical URL of the inbox that was asked
    headers: Mapping[str, str]
    body: bytes


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max([_depth(v, level + 1) for v in value.values()], default=level)
    if isinstance(value, list):
        return max([_depth(v, level + 1) for v in value], default=level)
    return level


def parse_activity(body: bytes) -> dict[str, Any]:
    if len(body) > MAX_INBOX_BODY:
        raise TooLarge("activity too large")
    try:
        activity = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise Malformed("body is not JSON") from exc
    if not isinstance(activity, dict) or _depth(activity) > MAX_DEPTH:
        raise Malformed("activity must be a JSON object of reasonable depth")
    for key in ("id", "type", "actor"):
        if not isinstance(activity.get(key), str) or not activity[key]:
            raise Malformed(f"activity needs a string {key}")
    if urlsplit(activity["actor"]).scheme not in ("https", "http"):
        raise Malformed("actor must be an http(s) URI")
    return activity


def _is_tick_of_ours(activity: dict[str, Any], obj: dict[str, Any], own_domain: str) -> bool:
    """An ``Update`` of a ``Todo`` of ours by a member of another server, carrying no author:
    the one inline object of ours an inbound activity may name (federation.handlers.tasks
    takes from it the tick alone, from an accepted member)."""
    object_id = obj.get("id")
    return (
        activity["type"] == "Update"
        and obj.get("type") == "Todo"
        and "attributedTo" not in obj
        and isinstance(object_id, str)
        and urlsplit(object_id).netloc.lower() == own_domain
    )


def check_origins(activity: dict[str, Any], own_domain: str) -> None:
    """The activity and any object it carries inline come from the actor's origin; nothing
    inbound speaks for our own domain. Announce carries other origins' objects by id only,
    and they are fetched from their own origin when needed."""
    actor = activity["actor"]
    if urlsplit(actor).netloc.lower() == own_domain:
        raise OriginMismatch("activity claims to come from this instance")
    if origin_of(activity["id"]) != origin_of(actor):
        raise OriginMismatch("activity id is not on the actor's origin")
    obj = activity.get("object")
    if isinstance(obj, dict) and activity["type"] not in ("Announce", "Accept", "Reject"):
        object_id = obj.get("id")
        if _is_tick_of_ours(activity, obj, own_domain):
            return  # a member's tick of one of our tasks: only its status is taken
        if isinstance(object_id, str) and origin_of(object_id) != origin_of(actor):
            raise OriginMismatch("embedded object is not on the actor's origin")
        author = obj.get("attributedTo")
        if isinstance(author, str) and activity["type"] in ("Create", "Update"):
            if author != actor:
                raise OriginMismatch("embedded object is attributed to someone else")


async def _verify(fed: Federation, post: InboundPost) -> VerifiedKey:
    settings = fed.settings
    args = ("POST", post.url, post.headers, post.body)
    try:
        return await verify_request(*args, domain=settings.domain, lookup=key_lookup(fed))
    except SignatureError as first:
        if "does not verify" not in first.message and "unknown" not in first.message:
            raise
    # The sender may have rotated its key: fetch its actor once more and try again.
    return await verify_request(*args, domain=settings.domain, lookup=key_lookup(fed, True))


async def _refuse_blocked(*uris: str) -> None:
    for uri in uris:
        if await block_of(uri):
            raise DomainBlocked("this domain is blocked here", f"{uri} is blocked")


async def receive(fed: Federation, post: InboundPost) -> bool:
    """Checks and stores one inbound activity; False when it was a duplicate. The activity is
    bound to the key that verified it: its actor is the key's owner, and its id is on the
    origin of the document that holds the key (the URL that finally served it); no block of
    the actor's, the key's or the activity id's domain is passed over."""
    activity = parse_activity(post.body)
    await _refuse_blocked(activity["actor"], activity["id"])
    check_origins(activity, fed.settings.domain)
    verified = await _verify(fed, post)
    if verified.owner != activity["actor"]:
        raise SignatureError("the signing key does not belong to the activity's actor")
    if origin_of(verified.owner) != origin_of(activity["id"]):
        raise OriginMismatch("activity id is not on the origin of its signing key")
    await _refuse_blocked(verified.key_id, verified.owner)
    if await RemoteActor.filter(uri=verified.owner, suspended_at__not_isnull=True).exists():
        raise ActorSuspended("this account is suspended here", f"{verified.owner} is suspended")
    await mark_host_alive(netloc_of(activity["actor"]))
    try:
        await InboxActivity.create(
            activity_uri=activity["id"],
            actor_uri=activity["actor"],
            payload=post.body.decode("utf-8", errors="replace"),
        )
    except IntegrityError:
        log.info("duplicate activity %s", activity["id"])
        return False
    return True
