"""``POST /api/v1/statuses/:id/translate``: the status in the reader's language, as Mastodon's
Translation entity. A translation the item already holds (a partner's, or a machine's kept
earlier) comes first; otherwise the instance's translation service translates it. Without a
service the answer is 404, and 503 when the service fails, as Mastodon answers. The
visibility rule applies as for reading the status."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from models.config import LOCALES
from models.langmap import pick
from models.markup import to_html
from server.api.core import ApiError, Call, endpoint
from server.api.statuses import viewing, visible_status
from server.machine_translation import TranslationUnavailable, machine_translate

KEPT = "Jumelage"  # the provider named for a translation the item already holds


@endpoint("read:statuses")
async def translate(call: Call) -> Any:
    item = await visible_status(call)
    target = call.params.text("lang") or viewing(call).language
    if target not in LOCALES:
        raise ApiError(422, f"Validation failed: lang must be one of {', '.join(LOCALES)}")
    source = item.primary_language
    if target == source:
        raise ApiError(422, "Validation failed: the status is written in that language")
    if target in item.content_map:
        _, text = pick(item.content_map, target, source)
        provider = "LibreTranslate" if target in item.machine_languages else KEPT
        return _translation(to_html(text, item.content_format), source, provider)
    if not call.settings.translate_url:  # as Mastodon answers when none is configured
        raise ApiError(404, "This server has no translation service")
    original = item.content_map.get(source, "")
    html = to_html(original, item.content_format)
    try:
        translated = await machine_translate(call.settings, html, source, target, html=True)
    except TranslationUnavailable as exc:
        raise ApiError(503, f"Translation unavailable: {exc}") from exc
    return _translation(to_html(translated, "html"), source, "LibreTranslate")


def _translation(content: str, source: str, provider: str) -> dict[str, Any]:
    return {
        "content": content,
        "spoiler_text": "",
        "poll": None,
        "media_attachments": [],
        "detected_source_language": source,
        "provider": provider,
    }


routes = [Route("/api/v1/statuses/{status_id:id}/translate", translate, methods=["POST"])]
