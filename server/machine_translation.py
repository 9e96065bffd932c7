"""The client of a LibreTranslate-compatible service (``JUMELAGE_TRANSLATE_URL``), the one
place that calls it. The service is chosen by the admin, so it may live on the same machine."""

from __future__ import annotations

import httpx

from models.config import Settings

TIMEOUT = 30.0
MAX_ANSWER = 1024 * 1024


class TranslationUnavailable(Exception):
    """No service configured, or it failed; the message says which, for the person asking."""


async def machine_translate(
    settings: Settings, text: str, source: str, target: str, html: bool = False
) -> str:
    if not settings.translate_url:
        raise TranslationUnavailable("no translation service is configured")
    if not text.strip():
        return ""
    payload = {
        "q": text,
        "source": source,
        "target": target,
        "format": "html" if html else "text",
    }
    if settings.translate_key:
        payload["api_key"] = settings.translate_key
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            answer = await client.post(f"{settings.translate_url}/translate", json=payload)
    except httpx.HTTPError as exc:
        raise TranslationUnavailable(f"the translation service did not answer ({exc})") from exc
    if answer.status_code != 200 or len(answer.content) > MAX_ANSWER:
        raise TranslationUnavailable(f"the translation service answered {answer.status_code}")
    try:
        translated = answer.json()["translatedText"]
    except (ValueError, KeyError, TypeError) as exc:
        raise TranslationUnavailable("the translation service gave no translation") from exc
    if not isinstance(translated, str):
        raise TranslationUnavailable("the translation service gave no translation")
    return translated
