"""Updates of a twinning: post, show, edit, delete. Showing goes through ``may_view``."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federation import publish
from federation.authorized_fetch import signing_actor
from federation.serialize import (
    answer_to_remote,
    reply_to_object,
    update_to_object,
    with_context,
)
from models.accounts import Account
from models.content import ContentItem
from models.discussions import mark_read
from models.errors import ModelError
from models.events import (
    Attendance,
    EventDetails,
    EventInput,
    attendance_counts,
    save_event_details,
)
from models.happenings import acting
from models.lookup import record_id
from models.media import MediaFile
from models.polls import Poll, add_poll
from models.posting import delete_update, edit_update, may_edit, post_reply, post_update
from models.reactions import Like
from models.remote import RemoteActor
from models.remote_members import remote_members
from models.resources import ResourceDetails, ResourceInput, save_resource_details
from models.translation_requests import asked_languages, may_ask, written_languages
from models.translations import may_translate
from models.twinnings import Twinning
from models.visibility import (
    may_remote_actor_view,
    may_thread_holder_view,
    may_view,
    visible_items,
)
from server import i18n
from server.activitypub import activity_response, federation_of, object_response, wants_actor
from server.params import query_text
from server.web.forms import error_text, langmap, read_form, refusal_text, text, texts
from server.web.guards import flash, get_or_404, int_param, redirect, require_viewer, viewer_of
from server.web.pages.polls import POLL_FIELDS, poll_from_form, poll_views
from server.web.pages.twinning_tabs import partner_count, refused_form
from server.web.render import render

MAX_REPLIES = 200


async def _update(request: Request) -> tuple[Twinning, ContentItem]:
    twinning = await get_or_404(Twinning, slug=request.path_params["slug"])
    item = await get_or_404(ContentItem, id=int_param(request, "item_id"), twinning=twinning)
    return twinning, item


async def _visible_update(request: Request) -> tuple[Twinning, ContentItem]:
    """The update if the signed-in viewer may see it; 404 as if it did not exist otherwise."""
    twinning, item = await _update(request)
    if not await may_view(viewer_of(request), item):
        raise HTTPException(404)
    return twinning, item


async def _fetchable(request: Request, item: ContentItem) -> tuple[Account, list[str]]:
    """Judges an ActivityStreams fetch for its signer, not the browser session: anonymous
    readers get public items, remote members their twinning's items, others 404. Returns the
    author and the remote members to address."""
    settings = request.app.state.settings
    url = settings.base_url + request.url.path
    signer = await signing_actor(federation_of(request), url, request.headers)
    if item.uri or item.author_id is None:  # posted from another server, which serves it
        raise HTTPException(404)
    allowed = await may_view(None, item) or (
        signer is not None and await may_remote_actor_view(signer, item)
    )
    if not allowed:
        raise HTTPException(404)
    twinning_id = item.twinning_id or (await ContentItem.get(id=item.in_reply_to_id)).twinning_id
    members = (
        []
        if item.visibility == "public"
        else [m.uri for m in await remote_members(twinning_id or 0)]
    )
    return await Account.get(id=item.author_id), members


def _private(document: dict[str, Any]) -> Response:
    response = activity_response(with_context(document))
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def _object(request: Request, twinning: Twinning, item: ContentItem) -> Response:
    author, members = await _fetchable(request, item)
    settings = request.app.state.settings
    media = await MediaFile.filter(item_id=item.id).order_by("id")
    event = await EventDetails.get_or_none(item_id=item.id)
    resource = await ResourceDetails.get_or_none(item_id=item.id)
    poll = await Poll.get_or_none(item_id=item.id)
    obj = update_to_object(settings, twinning, item, author, members, media, event, resource, poll)
    return object_response(with_context(obj), item.visibility == "public")


async def reply_page(request: Request) -> Response:
    """A reply's address: its ActivityStreams object, or its update's page for browsers."""
    twinning, root = await _update(request)
    reply = await get_or_404(
        ContentItem, id=int_param(request, "reply_id"), in_reply_to=root, uri=None
    )
    if not wants_actor(request):
        return redirect(f"/t/{twinning.slug}/updates/{root.id}#reply-{reply.id}")
    author, members = await _fetchable(request, reply)
    repliers = await RemoteActor.filter(items__in_reply_to_id=root.id).distinct()
    settings = request.app.state.settings
    return _private(
        reply_to_object(
            settings,
            twinning,
            root,
            reply,
            author,
            members,
            [r.uri for r in repliers] if root.visibility == "public" else [],
            await MediaFile.filter(item_id=reply.id).order_by("id"),
            await ContentItem.get_or_none(id=reply.parent_id) if reply.parent_id else None,
        )
    )


async def note_page(request: Request) -> Response:
    """Our person's answer to another server's post: its ActivityStreams object for the
    thread's holders (anyone, when the thread is public), the person's page for browsers."""
    author = await get_or_404(Account, username=request.path_params["username"], state="active")
    answer = await get_or_404(
        ContentItem, id=int_param(request, "item_id"), author=author, uri=None, kind="reply"
    )
    root = await get_or_404(ContentItem, id=answer.in_reply_to_id, twinning_id=None)
    if not wants_actor(request) or not root.uri:
        return redirect(f"/u/{author.username}")
    settings = request.app.state.settings
    url = settings.base_url + request.url.path
    signer = await signing_actor(federation_of(request), url, request.headers)
    if not await may_thread_holder_view(signer, root):
        raise HTTPException(404)
    holders = await publish.remote_thread(root)
    to, cc = publish.answer_addressing(root, holders)
    return _private(answer_to_remote(request.app.state.settings, answer, author, root.uri, to, cc))


async def reply(request: Request) -> Response:
    viewer = require_viewer(request)
    twinning, item = await _visible_update(request)
    form = await read_form(request)
    parent_id = record_id(text(form, "parent"))
    parent = None
    if parent_id is not None:
        parent = await ContentItem.get_or_none(id=parent_id, in_reply_to_id=item.id)
    try:
        answer = await post_reply(viewer, item, langmap(form, "reply"), parent=parent)
    except ModelError as exc:
        flash(request, refusal_text(exc))
        return redirect(f"/t/{twinning.slug}/updates/{item.id}")
    return redirect(f"/t/{twinning.slug}/updates/{item.id}#reply-{answer.id}")


async def post(request: Request) -> Response:
    viewer = require_viewer(request)
    twinning = await get_or_404(Twinning, slug=request.path_params["slug"])
    form = await read_form(request)
    try:
        async with acting():
            item = await post_update(
                viewer,
                twinning,
                text(form, "visibility"),
                langmap(form, "content"),
                langmap(form, "title"),
                text(form, "language"),
            )
            if (poll := poll_from_form(form)) is not None:
                await add_poll(item, poll)
    except ModelError as exc:
        values = {
            "content": langmap(form, "content"),
            "title": langmap(form, "title"),
            "visibility": text(form, "visibility"),
            **{key: text(form, key) for key in POLL_FIELDS},
        }
        return await refused_form(request, twinning, "feed", exc, values)
    return redirect(f"/t/{twinning.slug}/updates/{item.id}")


async def show(request: Request) -> Response:
    if wants_actor(request):
        return await _object(request, *await _update(request))
    twinning, item = await _visible_update(request)
    await item.fetch_related("author", "remote_author")
    replies = (
        await visible_items(viewer_of(request))
        .filter(in_reply_to_id=item.id)
        .prefetch_related("author", "remote_author")
        .order_by("created_at", "id")
        .limit(MAX_REPLIES)
    )
    viewer = viewer_of(request)
    if item.kind == "discussion" and viewer is not None:
        await mark_read(viewer, item)
    quoted = await _quoted(request, item, replies)
    answering = query_text(request, "parent", "")
    event = await EventDetails.get_or_none(item_id=item.id) if item.kind == "event" else None
    mine = await Attendance.get_or_none(item=item, account=viewer) if event and viewer else None
    return render(
        request,
        "update.html",
        twinning=twinning,
        item=item,
        replies=nested(replies),
        answering=answering if any(str(r.id) == answering for r in replies) else "",
        likes=await Like.filter(item=item).count(),
        can_edit=await may_edit(viewer, item),
        event=event,
        attendance=await attendance_counts(item) if event else {},
        my_attendance=mine.state if mine else "",
        quoted=quoted,
        resource=await ResourceDetails.get_or_none(item_id=item.id),
        files=await MediaFile.filter(item_id=item.id).order_by("id"),
        can_translate=await may_translate(viewer, item),
        **await translation_context(viewer, item),
        machine_service=bool(request.app.state.settings.translate_url),
        partner_count=await partner_count(twinning),
        polls=await poll_views(viewer, [item]),
    )


async def translation_context(viewer: Account | None, item: ContentItem) -> dict[str, Any]:
    """Who translated each language (credited on the item), and whether the reader may ask
    for hers and already did."""
    credited = await Account.filter(id__in=sorted(set(item.translators.values())) or [0])
    by_id = {a.id: a for a in credited if a.is_active}
    return {
        "translated_by": {lang: by_id[i] for lang, i in item.translators.items() if i in by_id},
        "can_ask": await may_ask(viewer, item),
        "written": written_languages(item),
        "asked": await asked_languages(item),
    }


MAX_DEPTH = 4


def nested(replies: list[ContentItem]) -> list[tuple[ContentItem, int]]:
    """The thread in reading order with each answer's depth (answers to answers under them,
    at most ``MAX_DEPTH`` deep; an answer whose parent is hidden stands at the top)."""
    shown = {r.id for r in replies}
    children: dict[int | None, list[ContentItem]] = {}
    for r in replies:
        parent = r.parent_id if r.parent_id in shown else None
        children.setdefault(parent, []).append(r)
    ordered: list[tuple[ContentItem, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for child in children.get(parent, []):
            ordered.append((child, min(depth, MAX_DEPTH)))
            walk(child.id, depth + 1)

    walk(None, 0)
    return ordered


async def _quoted(request: Request, item: ContentItem, replies: list[ContentItem]) -> dict:
    """``?quote=<id>`` fills the answer with that message as a Markdown quotation, in each
    language the message has."""
    raw = query_text(request, "quote", "")
    source = item if raw == str(item.id) else next((r for r in replies if str(r.id) == raw), None)
    if source is None:
        return {}
    author = source.author or source.remote_author  # both loaded with the thread
    name = getattr(author, "name", "") or getattr(author, "handle", "")
    quoted = {}
    for lang, body in source.content_map.items():
        plain = body if source.content_format == "markdown" else _plain_text(body)
        lines = "\n".join(f"> {line}" for line in plain.splitlines())
        quoted[lang] = f"{name}:\n{lines}\n\n"
    return quoted


def _plain_text(html: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", re.sub(r"</p>\s*<p>|<br\s*/?>", "\n", html)).strip()


async def edit(request: Request) -> Response:
    viewer = require_viewer(request)
    twinning, item = await _visible_update(request)
    if request.method == "GET":
        if not await may_edit(viewer, item):
            raise HTTPException(404)
        values: dict[str, object] = {"content": item.content_map, "title": item.title_map}
        values |= await current_details(item)
        return render(
            request,
            "update_form.html",
            twinning=twinning,
            item=item,
            form=values,
            error=None,
            partner_count=await partner_count(twinning),
        )
    form = await read_form(request)
    try:
        details = details_from(item, form)  # checked before anything changes
        async with acting():
            await edit_update(
                viewer,
                item,
                langmap(form, "content"),
                langmap(form, "title"),
                text(form, "language"),
            )
            await save_details(item, details)
    except ModelError as exc:
        refused: dict[str, object] = {name: text(form, name) for name in DETAIL_FIELDS}
        refused |= {"content": langmap(form, "content"), "title": langmap(form, "title")}
        return render(
            request,
            "update_form.html",
            exc.status,
            twinning=twinning,
            item=item,
            form=refused,
            error=error_text(exc),
            partner_count=await partner_count(twinning),
        )
    return redirect(f"/t/{twinning.slug}/updates/{item.id}")


EVENT_FIELDS = ("starts", "ends", "timezone", "place", "online_url")
RESOURCE_FIELDS = (
    "resource_kind", "url", "authors", "year", "publisher", "language", "licence", "folder",
)  # fmt: skip
DETAIL_FIELDS = EVENT_FIELDS + RESOURCE_FIELDS


def details_from(item: ContentItem, form: FormData) -> dict[str, object]:
    """The edited time and place of a meeting, or facts of a resource, checked."""
    if item.kind == "event":
        return EventInput({}, {}, **{n: text(form, n) for n in EVENT_FIELDS}).details()
    if item.kind == "resource":
        values = {n: text(form, n) for n in RESOURCE_FIELDS}
        data = ResourceInput({}, {}, fields_of_action=texts(form, "resource_fields"), **values)
        return data.details()
    return {}


async def save_details(item: ContentItem, details: dict[str, object]) -> None:
    if item.kind == "event" and details:
        await save_event_details(item, details)
    elif item.kind == "resource" and details:
        await save_resource_details(item, details)


async def current_details(item: ContentItem) -> dict[str, object]:
    """A meeting's or resource's facts as its edit form shows them."""
    event = await EventDetails.get_or_none(item_id=item.id) if item.kind == "event" else None
    if event is not None:
        start, end = event.local(event.starts_at), event.local(event.ends_at)
        return {
            "starts": start.strftime("%Y-%m-%dT%H:%M"),
            "ends": end.strftime("%Y-%m-%dT%H:%M"),
            "timezone": event.timezone,
            "place": event.place,
            "online_url": event.online_url,
        }
    resource = await ResourceDetails.get_or_none(item_id=item.id)
    if resource is None:
        return {}
    values: dict[str, object] = {n: getattr(resource, n) or "" for n in RESOURCE_FIELDS}
    values["resource_fields"] = resource.fields_of_action
    return values


async def delete(request: Request) -> Response:
    viewer = require_viewer(request)
    twinning, item = await _visible_update(request)
    await read_form(request)
    await delete_update(viewer, item)
    flash(request, i18n.gettext("The update was deleted."))
    return redirect(f"/t/{twinning.slug}")


routes = [
    Route("/t/{slug:handle}", post, methods=["POST"]),
    Route("/t/{slug:handle}/updates", post, methods=["POST"]),
    Route("/t/{slug:handle}/updates/{item_id:id}", show),
    Route("/t/{slug:handle}/updates/{item_id:id}/edit", edit, methods=["GET", "POST"]),
    Route("/t/{slug:handle}/updates/{item_id:id}/delete", delete, methods=["POST"]),
    Route("/t/{slug:handle}/updates/{item_id:id}/replies", reply, methods=["POST"]),
    Route("/t/{slug:handle}/updates/{item_id:id}/replies/{reply_id:id}", reply_page),
    Route("/u/{username:handle}/notes/{item_id:id}", note_page),
]
