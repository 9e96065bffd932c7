"""What an app asks about the server before anything else: instance v1 and v2, peers, rules,
custom emojis, and the small endpoints apps call on start and may find empty (filters,
announcements, preferences, markers)."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from federation.nodeinfo import MASTODON_API_VERSION, software_version
from models.accounts import Account
from models.config import LOCALES, Settings
from models.lookup import record_id
from models.markers import TIMELINES, Marker, set_marker
from models.media import MAX_DOCUMENT, MAX_IMAGE
from models.polls import MAX_EXPIRATION, MAX_OPTION_CHARACTERS, MAX_OPTIONS, MIN_EXPIRATION
from models.push import vapid_public_key
from models.remote import RemoteActor
from models.visibility import visible_items
from server.api.core import ApiError, Call, endpoint
from server.api.entities import Viewing, account_entity, iso
from server.api.media import MEDIA_TYPES
from server.api.statuses import MAX_CHARACTERS

# Apps check features by the Mastodon version they read here.
MASTODON_VERSION = MASTODON_API_VERSION


def version_string() -> str:
    return f"{MASTODON_VERSION} (compatible; Jumelage {software_version()})"


def streaming_url(settings: Settings) -> str:
    """Where apps open the streaming API: this server itself, over ``ws`` or ``wss``."""
    return f"{'wss' if settings.scheme == 'https' else 'ws'}://{settings.domain}"


def _configuration(settings: Settings) -> dict[str, Any]:
    return {
        "urls": {"streaming": streaming_url(settings)},
        "accounts": {"max_featured_tags": 0, "max_pinned_statuses": 0},
        "statuses": {
            "max_characters": MAX_CHARACTERS,
            "max_media_attachments": 4,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": sorted(MEDIA_TYPES),
            "image_size_limit": MAX_IMAGE,
            "image_matrix_limit": 16_777_216,
            "video_size_limit": MAX_DOCUMENT,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
            "description_limit": 1500,
        },
        "polls": {
            "max_options": MAX_OPTIONS,
            "max_characters_per_option": MAX_OPTION_CHARACTERS,
            "min_expiration": MIN_EXPIRATION,
            "max_expiration": MAX_EXPIRATION,
        },
        "translation": {"enabled": bool(settings.translate_url)},
        "vapid": {"public_key": vapid_public_key(settings.vapid_private_key)},
    }


async def _contact(call: Call) -> dict[str, Any] | None:
    admin = await Account.filter(role="admin", state="active").order_by("id").first()
    if admin is None:
        return None
    return await account_entity(Viewing(call.settings, call.account, "en"), admin)


async def _stats() -> dict[str, int]:
    return {
        "user_count": await Account.filter(state="active").count(),
        "status_count": await visible_items(None).filter(author_id__not_isnull=True).count(),
        "domain_count": len(await _peers()),
    }


async def _peers() -> list[str]:
    domains: list[Any] = await RemoteActor.all().values_list("domain", flat=True)
    return sorted(set(domains))


def _description(call: Call) -> str:
    return (
        f"{call.settings.instance_name}: a server for NGO twinnings "
        "(local governance, education and culture, health, social inclusion)."
    )


@endpoint(public=True)
async def instance_v1(call: Call) -> Any:
    s = call.settings
    config = _configuration(s)
    return {
        "uri": s.domain,
        "title": s.instance_name,
        "short_description": _description(call),
        "description": _description(call),
        "email": "",
        "version": version_string(),
        "urls": {"streaming_api": streaming_url(s)},
        "stats": await _stats(),
        "thumbnail": f"{s.base_url}/static/header.png",
        "languages": list(LOCALES),
        "registrations": s.registrations == "open",
        "approval_required": s.registrations == "approval",
        "invites_enabled": s.registrations == "invitation",
        "configuration": {k: config[k] for k in ("statuses", "media_attachments", "polls")},
        "contact_account": await _contact(call),
        "rules": [],
    }


@endpoint(public=True)
async def instance_v2(call: Call) -> Any:
    s = call.settings
    return {
        "domain": s.domain,
        "title": s.instance_name,
        "version": version_string(),
        "source_url": s.base_url,
        "description": _description(call),
        "usage": {"users": {"active_month": await Account.filter(state="active").count()}},
        "thumbnail": {"url": f"{s.base_url}/static/header.png"},
        "icon": [],
        "languages": list(LOCALES),
        "configuration": _configuration(s),
        "registrations": {
            "enabled": s.registrations != "closed",
            "approval_required": s.registrations == "approval",
            "message": None,
            "url": None,
        },
        "api_versions": {"mastodon": 2},
        "contact": {"email": "", "account": await _contact(call)},
        "rules": [],
    }


@endpoint(public=True)
async def peers(call: Call) -> Any:
    return await _peers()


@endpoint(public=True)
async def empty_list(call: Call) -> Any:
    return []


@endpoint("read")
async def nothing_yet(call: Call) -> Any:
    """Features Jumelage does not have yet (conversations, followed and featured tags,
    endorsements): apps ask for them on start and get what Mastodon answers when there are none."""
    _ = call.user
    return []


@endpoint(public=True)
async def extended_description(call: Call) -> Any:
    return {"updated_at": None, "content": f"<p>{_description(call)}</p>"}


@endpoint("read:accounts")
async def preferences(call: Call) -> Any:
    return {
        "posting:default:visibility": "public",
        "posting:default:sensitive": False,
        "posting:default:language": call.user.locale or call.settings.default_locale,
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
    }


def _marker(marker: Marker) -> dict[str, Any]:
    return {
        "last_read_id": marker.last_read_id,
        "version": marker.version,
        "updated_at": iso(marker.updated_at),
    }


@endpoint("read:statuses")
async def get_markers(call: Call) -> Any:
    wanted = [t for t in call.params.items("timeline") if t in TIMELINES] or list(TIMELINES)
    rows = await Marker.filter(account=call.user, timeline__in=wanted)
    return {row.timeline: _marker(row) for row in rows}


@endpoint("write:statuses")
async def save_markers(call: Call) -> Any:
    result = {}
    for timeline in TIMELINES:
        value = call.params.values.get(timeline)
        if isinstance(value, dict):
            last = str(value.get("last_read_id", ""))
        else:
            last = call.params.text(f"{timeline}[last_read_id]")
        if not last:
            continue
        if record_id(last) is None:
            raise ApiError(422, f"Validation failed: {timeline}[last_read_id] must be an id")
        result[timeline] = _marker(await set_marker(call.user, timeline, last))
    return result


routes = [
    Route("/api/v1/instance", instance_v1),
    Route("/api/v2/instance", instance_v2),
    Route("/api/v1/instance/peers", peers),
    Route("/api/v1/instance/rules", empty_list),
    Route("/api/v1/instance/extended_description", extended_description),
    Route("/api/v1/custom_emojis", empty_list),
    Route("/api/v1/announcements", empty_list),
    Route("/api/v1/trends/tags", empty_list),
    Route("/api/v1/trends/statuses", empty_list),
    Route("/api/v1/preferences", preferences),
    *(
        Route(path, nothing_yet)
        for path in (
            "/api/v1/conversations",
            "/api/v1/followed_tags",
            "/api/v1/featured_tags",
            "/api/v1/endorsements",
        )
    ),
    Route("/api/v1/markers", get_markers),
    Route("/api/v1/markers", save_markers, methods=["POST"]),
]
