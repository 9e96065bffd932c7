"""Our actors as ActivityPub sees them: their addresses, their keys, their JSON documents.

People are ``Person``, twinnings ``Group`` (FEP-1b12, with a members collection), organisations
``Organization``, and the instance itself an ``Application`` that signs on its own behalf."""

from __future__ import annotations

import asyncio
from typing import Any

from federation.signatures import generate_keypair
from federation.vocabulary import CONTEXT
from models.accounts import Account
from models.config import Settings
from models.keys import ActorKey, keep_key, stored_key
from models.langmap import pick
from models.organisations import Organisation
from models.pictures import picture_media_type, picture_url
from models.remote import RemoteMembership
from models.twinnings import Membership, Twinning
from models.vocab import PHASE_NAMES

INSTANCE_ACTOR = "jumelage"


def person_uri(settings: Settings, username: str) -> str:
    return f"{settings.base_url}/u/{username}"


def twinning_uri(settings: Settings, slug: str) -> str:
    return f"{settings.base_url}/t/{slug}"


def organisation_uri(settings: Settings, slug: str) -> str:
    return f"{settings.base_url}/o/{slug}"


def instance_actor_uri(settings: Settings) -> str:
    return f"{settings.base_url}/actor"


async def actor_key(actor_type: str, actor_id: int) -> ActorKey:
    """The actor's key, made on first use (RSA generation runs off the event loop)."""
    key = await stored_key(actor_type, actor_id)
    if key is not None:
        return key
    public_pem, private_pem = await asyncio.to_thread(generate_keypair)
    return await keep_key(actor_type, actor_id, public_pem, private_pem)


def _image(settings: Settings, picture: str) -> dict[str, Any]:
    """An ``Image`` of one of our pictures, or of the instance's default avatar without one."""
    if not picture:
        url, media_type = f"{settings.base_url}/static/avatar.png", "image/png"
    else:
        url, media_type = picture_url(settings.base_url, picture), picture_media_type(picture)
    return {"type": "Image", "mediaType": media_type, "url": url}


def _actor(
    settings: Settings,
    uri: str,
    kind: str,
    handle: str,
    name: str,
    key: ActorKey,
    picture: str = "",
) -> dict[str, Any]:
    """``picture``: the actor's own (a name in ``models.pictures``), its ``icon``."""
    return {
        "@context": CONTEXT,
        "id": uri,
        "type": kind,
        "preferredUsername": handle,
        "name": name,
        "url": uri,
        "inbox": f"{uri}/inbox",
        "outbox": f"{uri}/outbox",
        "followers": f"{uri}/followers",
        "following": f"{uri}/following",
        "endpoints": {"sharedInbox": f"{settings.base_url}/inbox"},
        "manuallyApprovesFollowers": False,
        "discoverable": True,
        "publicKey": {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": key.public_pem},
        "icon": _image(settings, picture),
    }


def _summary(langmap: dict[str, str], primary: str) -> dict[str, Any]:
    if not langmap:
        return {}
    _, text = pick(langmap, primary, primary)
    ordered = dict(sorted(langmap.items(), key=lambda kv: kv[0] != primary))
    return {"summary": text, "summaryMap": ordered}


async def person_document(settings: Settings, account: Account) -> dict[str, Any]:
    key = await actor_key("person", account.id)
    uri = person_uri(settings, account.username)
    doc = _actor(settings, uri, "Person", account.username, account.name, key, account.avatar)
    if account.bio:
        doc["summary"] = account.bio
    doc["published"] = account.created_at.isoformat()
    return doc


async def twinning_document(settings: Settings, twinning: Twinning) -> dict[str, Any]:
    """A Group with a members collection and its admins and moderators as ``attributedTo``."""
    key = await actor_key("twinning", twinning.id)
    uri = twinning_uri(settings, twinning.slug)
    _, title = pick(twinning.title_map, twinning.primary_language, twinning.primary_language)
    doc = _actor(settings, uri, "Group", twinning.slug, title, key, twinning.picture)
    if twinning.picture:  # the wide picture, shown by Mastodon as the header
        doc["image"] = _image(settings, twinning.picture)
    moderators = (
        await Membership.filter(
            twinning=twinning, state="accepted", role__in=["admin", "moderator"]
        )
        .prefetch_related("account")
        .order_by("id")
        .limit(50)
    )
    doc.update(_summary(twinning.summary_map, twinning.primary_language))
    doc["nameMap"] = twinning.title_map
    doc["members"] = f"{uri}/members"
    remote = await RemoteMembership.filter(
        twinning=twinning, state="accepted", role__in=["admin", "moderator"]
    ).values_list("actor__uri", flat=True)
    ours = [person_uri(settings, m.account.username) for m in moderators]
    doc["attributedTo"] = [*ours, *(uri for uri in remote if isinstance(uri, str))]
    doc["postingRestrictedToMods"] = False
    doc["published"] = twinning.created_at.isoformat()
    # Shown by Mastodon and others as a profile field; its change goes out as an Update.
    doc["attachment"] = [
        {"type": "PropertyValue", "name": "Phase", "value": PHASE_NAMES[twinning.phase]}
    ]
    return doc


async def organisation_document(settings: Settings, org: Organisation) -> dict[str, Any]:
    key = await actor_key("organisation", org.id)
    uri = organisation_uri(settings, org.slug)
    doc = _actor(settings, uri, "Organization", org.slug, org.name, key, org.logo)
    doc.update(_summary(org.description_map, next(iter(org.description_map), "")))
    doc["published"] = org.created_at.isoformat()
    return doc


async def instance_actor_document(settings: Settings) -> dict[str, Any]:
    key = await actor_key("instance", 0)
    uri = instance_actor_uri(settings)
    doc = _actor(settings, uri, "Application", INSTANCE_ACTOR, settings.instance_name, key)
    doc["manuallyApprovesFollowers"] = True
    doc["discoverable"] = False
    return doc
