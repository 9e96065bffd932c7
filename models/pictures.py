"""The faces of actors: a person's avatar, an organisation's logo, a twinning's banner, and the
icons of remote actors kept here. Each is decoded and re-encoded by ``models.images`` (no EXIF,
GPS or camera serial survives) at one fixed shape, and kept in the node's store
(``models.media_store``) by the hash of its clean bytes: a file never changes under its name,
so browsers and other servers may keep it for a year, and a new picture is a new name."""

from __future__ import annotations

import asyncio
import hashlib
import re
from pathlib import Path

from models import happenings
from models.accounts import Account
from models.errors import N_, Invalid, NotAllowed
from models.images import fit_image
from models.media import MAX_IMAGE, sniff
from models.media_store import store_at
from models.organisations import Organisation, is_organisation_admin
from models.twinnings import Twinning, require_moderator

# kind -> (width, height): square faces, and a 3:1 banner (Mastodon's header shape).
SHAPES = {"avatar": (400, 400), "logo": (400, 400), "banner": (1200, 400)}
NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg)$")


def picture_key(name: str) -> str | None:
    """The store's key of a stored picture, or None for a name that is not one of ours."""
    return f"pictures/{name}" if NAME.match(name) else None


def picture_url(base_url: str, name: str) -> str:
    """Where a stored picture is served (``server.web.pages.pictures``), for other servers and
    apps."""
    return f"{base_url}/pictures/{name}"


def picture_media_type(name: str) -> str:
    return "image/png" if name.endswith(".png") else "image/jpeg"


def _media_type(content: bytes) -> str:
    if not content:
        raise Invalid("file", N_("the file is empty"))
    if len(content) > MAX_IMAGE:
        raise Invalid("file", N_("at most %(n)s MB"), n=MAX_IMAGE // (1024 * 1024))
    try:
        media_type, _, kind = sniff(content[:16])
    except Invalid:
        kind = ""
    if kind != "image":
        raise Invalid("file", N_("only PNG, JPEG, GIF and WebP images"))
    return media_type


async def store_picture(data_dir: Path, content: bytes, shape: str) -> str:
    """The name of the clean copy of ``content`` at ``shape`` (a key of ``SHAPES``); refuses
    what is not a PNG, JPEG, GIF or WebP picture Pillow can decode, too big a file and too
    many pixels (a decompression bomb), with a reason."""
    width, height = SHAPES[shape]
    fitted = await asyncio.to_thread(fit_image, content, _media_type(content), width, height)
    name = f"{hashlib.sha256(fitted.content).hexdigest()[:32]}.{fitted.ext}"
    store, key = store_at(data_dir), f"pictures/{name}"
    if not await store.exists(key):
        await store.put(key, fitted.content)
    return name


async def set_avatar(account: Account, data_dir: Path, content: bytes | None) -> None:
    """``content`` None takes the avatar away (initials show instead)."""
    account.avatar = await _stored(data_dir, content, "avatar")
    await _shown(account, "avatar", "person")


async def set_logo(
    editor: Account, org: Organisation, data_dir: Path, content: bytes | None
) -> None:
    if not await is_organisation_admin(editor, org):
        raise NotAllowed("organisation", N_("only its admins may edit it"))
    org.logo = await _stored(data_dir, content, "logo")
    await _shown(org, "logo", "organisation")


async def set_banner(
    editor: Account, twinning: Twinning, data_dir: Path, content: bytes | None
) -> None:
    """The twinning's picture; its moderators and admins may change it, as its details."""
    await require_moderator(editor, twinning)
    twinning.picture = await _stored(data_dir, content, "banner")
    await _shown(twinning, "picture", "twinning")


async def _stored(data_dir: Path, content: bytes | None, shape: str) -> str:
    """The stored picture's name; none (initials show instead) when ``content`` is None."""
    return await store_picture(data_dir, content, shape) if content is not None else ""


async def _shown(actor: Account | Organisation | Twinning, field: str, actor_type: str) -> None:
    """The new picture is saved, and servers that know the actor get its new document."""
    async with happenings.acting():
        await actor.save(update_fields=[field])
        await happenings.actor_changed(actor_type, actor.id)
