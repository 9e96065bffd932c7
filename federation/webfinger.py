"""WebFinger (RFC 7033), host-meta (RFC 6415) and the lookup of our actors by handle or URI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from federation.actors import (
    INSTANCE_ACTOR,
    instance_actor_uri,
    organisation_uri,
    person_uri,
    twinning_uri,
)
from federation.errors import FederationError
from models.accounts import Account
from models.config import Settings
from models.handles import is_handle
from models.organisations import Organisation
from models.programmes import Programme
from models.twinnings import Twinning


class NotFound(FederationError):
    status = 404


@dataclass(frozen=True)
class LocalActor:
    handle: str
    uri: str


async def local_actor(settings: Settings, handle: str) -> LocalActor:
    """People, twinnings, organisations and programmes share one namespace (``models.handles``)."""
    handle = handle.lower()
    if handle == INSTANCE_ACTOR:
        return LocalActor(handle, instance_actor_uri(settings))
    if not is_handle(handle):  # nothing by that name, and no query with a malformed one
        raise NotFound("no such actor")
    if await Account.filter(username=handle, state="active").exists():
        return LocalActor(handle, person_uri(settings, handle))
    if await Twinning.filter(slug=handle).exists():
        return LocalActor(handle, twinning_uri(settings, handle))
    if await Organisation.filter(slug=handle).exists():
        return LocalActor(handle, organisation_uri(settings, handle))
    if await Programme.filter(slug=handle).exists():
        return LocalActor(handle, f"{settings.base_url}/p/{handle}")
    raise NotFound("no such actor")


def _handle_of(settings: Settings, resource: str) -> str:
    if resource.startswith("acct:"):
        name, _, host = resource[5:].lstrip("@").partition("@")
        if host.lower() != settings.domain:
            raise NotFound("not an account of this instance")
        return name
    try:
        parts = urlsplit(resource)
    except ValueError:  # "http://[" and the like
        raise NotFound("not an address of this instance") from None
    if f"{parts.scheme}://{parts.netloc}" != settings.base_url:
        raise NotFound("not an address of this instance")
    if parts.path == "/actor":
        return INSTANCE_ACTOR
    segments = parts.path.strip("/").split("/")
    if len(segments) != 2 or segments[0] not in ("u", "t", "o", "p"):
        raise NotFound("not an actor address")
    return segments[1]


async def webfinger(settings: Settings, resource: str) -> dict[str, Any]:
    if not resource:
        raise FederationError("the resource parameter is required")
    actor = await local_actor(settings, _handle_of(settings, resource))
    return {
        "subject": f"acct:{actor.handle}@{settings.domain}",
        "aliases": [actor.uri],
        "links": [
            {"rel": "self", "type": "application/activity+json", "href": actor.uri},
            {
                "rel": "http://webfinger.net/rel/profile-page",
                "type": "text/html",
                "href": actor.uri,
            },
        ],
    }


def host_meta(settings: Settings) -> str:
    template = f"{settings.base_url}/.well-known/webfinger?resource={{uri}}"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" template="{template}"/>\n'
        "</XRD>\n"
    )
