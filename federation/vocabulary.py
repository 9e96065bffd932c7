"""ActivityStreams constants and the media types of ActivityPub."""

from __future__ import annotations

AS = "https://www.w3.org/ns/activitystreams"
PUBLIC = f"{AS}#Public"
PUBLIC_FORMS = frozenset({PUBLIC, "as:Public", "Public"})
SECURITY = "https://w3id.org/security/v1"
CONTEXT: list[object] = [
    AS,
    SECURITY,
    {
        "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
        "toot": "http://joinmastodon.org/ns#",
        "discoverable": "toot:discoverable",
        "blurhash": "toot:blurhash",
        "lemmy": "https://join-lemmy.org/ns#",
        "postingRestrictedToMods": "lemmy:postingRestrictedToMods",
        "sensitive": "as:sensitive",
        "sc": "http://schema.org#",
        "mz": "https://joinmobilizon.org/ns#",
        "timezone": {"@id": "mz:timezone", "@type": "sc:Text"},
        "isOnline": {"@id": "mz:isOnline", "@type": "sc:Boolean"},
        "joinMode": {"@id": "mz:joinMode", "@type": "mz:joinModeType"},
        "PostalAddress": "sc:PostalAddress",
        "address": {"@id": "sc:address", "@type": "sc:PostalAddress"},
        "streetAddress": "sc:streetAddress",
    },
]
ACTIVITY_JSON = "application/activity+json"
LD_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


def wants_activity_json(accept: str) -> bool:
    """True for the media types ActivityPub servers ask with (and not for browsers' */*)."""
    for part in accept.split(","):
        media = part.split(";", 1)[0].strip().lower()
        if media == ACTIVITY_JSON:
            return True
        if media == "application/ld+json" and "activitystreams" in part:
            return True
    return False
