"""NodeInfo 2.1. Its usage figures are derived surfaces too: only public items are counted."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from models.accounts import Account
from models.config import Settings
from models.visibility import visible_items

SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/2.1"
# The Mastodon API version whose features apps may expect of ours.
MASTODON_API_VERSION = "4.3.0"


def software_version() -> str:
    try:
        return version("jumelage")
    except PackageNotFoundError:
        return "0.0.0"


def nodeinfo_links(settings: Settings) -> dict[str, Any]:
    return {"links": [{"rel": SCHEMA, "href": f"{settings.base_url}/nodeinfo/2.1"}]}


async def nodeinfo(settings: Settings) -> dict[str, Any]:
    return {
        "version": "2.1",
        "software": {"name": "jumelage", "version": software_version()},
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": settings.registrations == "open",
        "usage": {
            "users": {"total": await Account.filter(state="active").count()},
            "localPosts": await visible_items(None).filter(author_id__not_isnull=True).count(),
        },
        # Apps that detect the server type (megalodon, behind Whalebird and others) take an
        # unknown software for Mastodon when its upstream says so: we speak Mastodon's API.
        "metadata": {
            "nodeName": settings.instance_name,
            "upstream": {"name": "mastodon", "version": MASTODON_API_VERSION},
        },
    }
