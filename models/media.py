"""Uploaded files (Mastodon's media attachments): images and PDF documents. The type is read
from the content, never from the file name or the client's claim, and files live under the data
directory with random names. Pictures are kept only as the clean copy ``models.images`` makes
(no EXIF, GPS or camera serial), with a thumbnail beside them. Who may fetch one is decided by
the item it is attached to."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path
from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.accounts import Account
from models.content import ContentItem
from models.errors import N_, Invalid
from models.images import CleanImage, clean_image
from models.lookup import record_id
from models.media_store import store_at
from models.office import sniff_office

MAX_IMAGE = 8 * 1024 * 1024
MAX_DOCUMENT = 16 * 1024 * 1024
MAX_DESCRIPTION = 1500
# (magic bytes at offset 0, media type, extension, Mastodon attachment type)
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png", "png", "image"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg", "image"),
    (b"GIF87a", "image/gif", "gif", "image"),
    (b"GIF89a", "image/gif", "gif", "image"),
    (b"%PDF-", "application/pdf", "pdf", "unknown"),
)


class MediaFile(Model):
    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="media", on_delete=fields.CASCADE
    )
    account_id: int
    item: fields.ForeignKeyNullableRelation[ContentItem] = fields.ForeignKeyField(
        "models.ContentItem", related_name="media", null=True, on_delete=fields.CASCADE
    )
    item_id: int | None
    name = fields.CharField(max_length=64, unique=True)
    media_type = fields.CharField(max_length=100)
    kind = fields.CharField(max_length=10)
    size = fields.IntField()
    description = fields.CharField(max_length=MAX_DESCRIPTION, default="")
    # Pictures only: what apps show before and while the file loads.
    width = fields.IntField(null=True)
    height = fields.IntField(null=True)
    preview_name = fields.CharField(max_length=64, null=True, unique=True)
    preview_width = fields.IntField(null=True)
    preview_height = fields.IntField(null=True)
    blurhash = fields.CharField(max_length=100, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "media_files"


def sniff(head: bytes) -> tuple[str, str, str]:
    """(media type, extension, kind) of the content; refuses anything not on the list."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp", "image"
    for magic, media_type, ext, kind in SIGNATURES:
        if head.startswith(magic):
            return media_type, ext, kind
    raise Invalid("file", N_("only PNG, JPEG, GIF and WebP images and PDF documents"))


def media_key(name: str) -> str:
    """The store's key of a file or thumbnail named ``name``."""
    return f"media/{name}"


async def store_media(
    account: Account, data_dir: Path, content: bytes, description: str = "", office: bool = False
) -> MediaFile:
    """``office``: office documents are welcome too (resources; Mastodon apps send media)."""
    if not content:
        raise Invalid("file", N_("the file is empty"))
    try:
        media_type, ext, kind = sniff(content[:16])
    except Invalid:
        if not office:
            raise
        media_type, ext, kind = sniff_office(content)
    limit = MAX_IMAGE if kind == "image" else MAX_DOCUMENT
    if len(content) > limit:
        raise Invalid("file", N_("at most %(n)s MB"), n=limit // (1024 * 1024))
    if len(description) > MAX_DESCRIPTION:
        raise Invalid("description", N_("at most %(n)s characters"), n=MAX_DESCRIPTION)
    token = secrets.token_urlsafe(18)
    picture: dict[str, Any] = {}
    if kind == "image":
        clean = await asyncio.to_thread(clean_image, content, media_type)
        content = clean.content
        picture = await write_preview(data_dir, token, clean)
    name = f"{token}.{ext}"
    await store_at(data_dir).put(media_key(name), content)
    return await MediaFile.create(
        account=account,
        name=name,
        media_type=media_type,
        kind=kind,
        size=len(content),
        description=description.strip(),
        **picture,
    )


async def write_preview(data_dir: Path, token: str, clean: CleanImage) -> dict[str, Any]:
    """Writes the thumbnail; returns the picture's fields of ``MediaFile``."""
    preview_name = f"{token}-small.{clean.small_ext}"
    await store_at(data_dir).put(media_key(preview_name), clean.small)
    return {
        "width": clean.width,
        "height": clean.height,
        "preview_name": preview_name,
        "preview_width": clean.small_width,
        "preview_height": clean.small_height,
        "blurhash": clean.blurhash,
    }


async def strip_stored_metadata(data_dir: Path) -> tuple[int, list[str]]:
    """Pictures stored before uploads were cleaned (those without dimensions) are replaced in
    place by their clean copy, with a thumbnail beside them. Returns how many were cleaned and
    a line for each one that is missing or cannot be decoded (left as it is)."""
    cleaned, problems = 0, []
    store = store_at(data_dir)
    for media in await MediaFile.filter(kind="image", width=None).order_by("id"):
        content = await store.get(media_key(media.name))
        if content is None:
            problems.append(f"{media.name}: no such file in {store.description}")
            continue
        try:
            clean = await asyncio.to_thread(clean_image, content, media.media_type)
        except Invalid as exc:
            problems.append(
                f"{media.name}: {exc.message % exc.params if exc.params else exc.message}"
            )
            continue
        await store.put(media_key(media.name), clean.content)
        picture = await write_preview(data_dir, media.name.rsplit(".", 1)[0], clean)
        await MediaFile.filter(id=media.id).update(size=len(clean.content), **picture)
        cleaned += 1
    return cleaned, problems


async def attachable(account: Account, media_ids: list[str]) -> list[int]:
    """Only the uploader's own, not yet attached files; checked before the post is made, so a
    bad id leaves nothing behind."""
    found = [record_id(i) for i in media_ids]
    ids = list(dict.fromkeys(i for i in found if i is not None))
    if len(ids) != len(media_ids) or len(ids) > 4:
        raise Invalid("media_ids", N_("at most 4 of your uploaded files"))
    if await MediaFile.filter(id__in=ids, account=account, item_id=None).count() != len(ids):
        raise Invalid("media_ids", N_("at most 4 of your uploaded files"))
    return ids


async def attach(item: ContentItem, ids: list[int]) -> None:
    if ids:
        await MediaFile.filter(id__in=ids, item_id=None).update(item_id=item.id)


async def files_of(item: ContentItem) -> list[str]:
    """The names of the files (and thumbnails) attached to ``item``: read before the item
    goes, since its rows go with it."""
    found = await MediaFile.filter(item_id=item.id).values_list("name", "preview_name")
    return [name for pair in found for name in pair if name]


async def forget_files(data_dir: Path, names: list[str]) -> None:
    """Deletes the files of an item that is gone; called once its deletion is committed, so
    that a deletion rolled back never leaves its rows without their files."""
    store = store_at(data_dir)
    for name in names:
        await store.delete(media_key(name))
