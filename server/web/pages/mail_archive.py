"""A discussion as an mbox file, for researchers and for moving to another tool: the thread
and its answers the reader may see, as the list's mails (the same Message-IDs, so a mail client
threads them with those it received). Partner-only threads are members' only (404 for anyone
else, as the page). No member's e-mail address is in it: each message is from the list address
under its author's name."""

from __future__ import annotations

import io
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default
from email.utils import format_datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.expressions import Q

from federation.serialize import item_uri
from models.accounts import Account
from models.config import Settings
from models.content import ContentItem
from models.mail import list_domain
from models.remote import RemoteActor
from models.twinnings import Twinning
from models.visibility import may_view, visible_items
from server.web.guards import get_or_404, int_param, viewer_of

MAX_MESSAGES = 2000
_POLICY = default.clone(linesep="\n")


async def mbox(request: Request) -> Response:
    twinning = await get_or_404(Twinning, slug=request.path_params["slug"])
    root = await get_or_404(
        ContentItem, id=int_param(request, "item_id"), twinning=twinning, kind="discussion"
    )
    viewer = viewer_of(request)
    if not await may_view(viewer, root):
        raise HTTPException(404)
    items = (
        await visible_items(viewer)
        .filter(Q(id=root.id) | Q(in_reply_to_id=root.id))
        .prefetch_related("author", "remote_author")
        .order_by("created_at", "id")
        .limit(MAX_MESSAGES)
    )
    settings = request.app.state.settings
    body = b"".join(_entry(settings, twinning, root, item) for item in items)
    headers = {"Content-Disposition": f'attachment; filename="{twinning.slug}-{root.id}.mbox"'}
    if root.visibility != "public":
        headers["Cache-Control"] = "private, no-store"
    return Response(body, media_type="application/mbox", headers=headers)


def _entry(settings: Settings, twinning: Twinning, root: ContentItem, item: ContentItem) -> bytes:
    """One message, after its ``From `` separator line; body lines starting with "From " are
    quoted (``>From ``) so readers do not split there."""
    host = settings.domain.split(":")[0]
    message = EmailMessage(policy=_POLICY)
    author: Account | RemoteActor | None = item.author or item.remote_author
    name = getattr(author, "name", "") or getattr(author, "handle", "") or "?"
    username, domain = twinning.slug, list_domain(settings)
    message["From"] = Address(display_name=name, username=username, domain=domain)
    message["Date"] = format_datetime(item.created_at)
    title = root.title_map.get(root.primary_language) or next(iter(root.title_map.values()), "")
    message["Subject"] = title if item.id == root.id else f"Re: {title}"
    message["Message-ID"] = f"<item-{item.id}@{host}>"
    if item.id != root.id:
        parent = item.parent_id or root.id
        message["In-Reply-To"] = f"<item-{parent}@{host}>"
        message["References"] = f"<item-{root.id}@{host}>" + (
            f" <item-{parent}@{host}>" if parent != root.id else ""
        )
    message["List-Id"] = f"<{twinning.slug}.{host}>"
    message["Content-Language"] = item.primary_language
    text = item.content_map.get(item.primary_language) or next(iter(item.content_map.values()))
    url = item_uri(settings, twinning, root) + ("" if item.id == root.id else f"#reply-{item.id}")
    message.set_content(f"{text}\n\n{url}\n")
    out = io.BytesIO()
    out.write(
        f"From {username}@{domain} {item.created_at.strftime('%a %b %d %H:%M:%S %Y')}\n".encode()
    )
    BytesGenerator(out, mangle_from_=True, policy=_POLICY).flatten(message)
    out.write(b"\n")
    return out.getvalue()


routes = [Route("/t/{slug:handle}/updates/{item_id:id}/mbox", mbox)]
