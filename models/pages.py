"""Texts of the instance that its admins edit: the twinning method the home page presents,
as a trilingual Markdown text (the built-in text shows until an admin writes one)."""

from __future__ import annotations

from collections.abc import Mapping

from tortoise import fields
from tortoise.models import Model

from models.accounts import Account
from models.errors import N_, NotAllowed
from models.langmap import build_map

PAGES = ("method",)


class InstancePage(Model):
    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=20, unique=True)
    content_map: fields.JSONField[dict[str, str]] = fields.JSONField(default=dict)
    updated_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="pages_edited", null=True, on_delete=fields.SET_NULL
    )
    updated_by_id: int | None
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "instance_pages"


async def page_text(key: str) -> dict[str, str]:
    page = await InstancePage.get_or_none(key=key)
    return dict(page.content_map) if page else {}


async def edit_page(admin: Account, key: str, texts: Mapping[str, str]) -> None:
    """An empty text in every language brings the built-in text back."""
    if not admin.is_admin or key not in PAGES:
        raise NotAllowed("page", N_("only the instance's admins may edit it"))
    content = build_map("content", texts, 20_000, required=False)
    if not content:
        await InstancePage.filter(key=key).delete()
        return
    await InstancePage.update_or_create(
        key=key, defaults={"content_map": content, "updated_by": admin}
    )
