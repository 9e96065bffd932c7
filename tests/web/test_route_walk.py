"""The route walk: on the demo instance, every page reachable by links from the home, the
directory and the page of every demo person (Inés only ever answered), organisation,
twinning and item is opened as a visitor, as a signed-in non-member and as a member; none
answers a server error, and no partners-only text reaches anyone outside its twinning."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

import httpx
import pytest

from models.accounts import Account
from models.content import ContentItem
from models.demo import DEMO_PASSWORD, fill_demo
from models.organisations import Organisation
from models.twinnings import Membership, Twinning
from tests.conftest import log_in, make_account

# Links that act or leave the site rather than show a page.
NOT_PAGES = ("/logout", "/static/", "/media/", "/oauth/", "/api/", "/language")
PER_PATH = 4  # variants of one path (filters, pages) worth opening
LIMIT = 600


def _links(html: str) -> set[str]:
    found = set()
    for href in re.findall(r'href="(/[^"#]*)', html):
        href = href.replace("&amp;", "&")
        if not href.startswith("//") and not href.startswith(NOT_PAGES):
            found.add(href)
    return found


async def _starts() -> list[str]:
    pages = ["/", "/directory", "/directory?kind=organisations", "/resources", "/about"]
    pages += [f"/u/{a.username}" for a in await Account.all()]
    pages += [f"/o/{o.slug}" for o in await Organisation.all()]
    for twinning in await Twinning.all():
        pages += [f"/t/{twinning.slug}/{tab}" for tab in ("", "discussions", "meetings")]
        pages += [f"/t/{twinning.slug}/{tab}" for tab in ("resources", "members", "about")]
    for item in await ContentItem.filter(in_reply_to_id=None).prefetch_related("twinning"):
        if item.twinning is not None:
            pages.append(f"/t/{item.twinning.slug}/updates/{item.id}")
    return pages


async def _walk(
    client: httpx.AsyncClient, forbidden: list[str], expected: list[tuple[str, ...]]
) -> int:
    """Opens every page reachable from the starts; fails on a 5xx or a forbidden text, and
    unless each ``expected`` item was met somewhere, in one of its languages."""
    queue, seen, per_path = await _starts(), set[str](), Counter[str]()
    missing = set(expected)
    while queue and len(seen) < LIMIT:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in seen or per_path[path] >= PER_PATH:
            continue
        seen.add(url)
        per_path[path] += 1
        answer = await client.get(url)
        assert answer.status_code < 500, (url, answer.status_code, answer.text[:2000])
        leaked = [text for text in forbidden if text in answer.text]
        assert not leaked, (url, leaked)
        missing = {texts for texts in missing if not any(t in answer.text for t in texts)}
        if answer.headers.get("content-type", "").startswith("text/html"):
            queue += sorted(_links(answer.text) - seen)
    assert not missing, f"never shown: {sorted(missing)}"
    return len(seen)


async def _partner_items(of: set[int]) -> list[tuple[str, ...]]:
    """The partners-only items of the twinnings ``of``, each as its texts in every language."""
    items = []
    for item in await ContentItem.filter(visibility="partners"):
        root = await item.in_reply_to if item.in_reply_to_id else item
        if root is not None and root.twinning_id in of:
            texts = [*item.title_map.values(), *item.content_map.values()]
            items.append(tuple(t for t in texts if len(t) > 12))
    return items


@pytest.mark.parametrize("who", ["visitor", "outsider", "ines"])
async def test_every_demo_page_opens_for_everyone_and_keeps_partner_items(
    client: httpx.AsyncClient, who: str
) -> None:
    await fill_demo()
    everywhere = {t.id for t in await Twinning.all()}
    mine: set[int] = set()
    if who == "outsider":
        await make_account("outsider")
        await log_in(client, "outsider")
    elif who == "ines":
        await log_in(client, "ines", DEMO_PASSWORD)
        memberships = Membership.filter(account__username="ines", state="accepted")
        mine = set(await memberships.values_list("twinning_id", flat=True))  # type: ignore[arg-type]
        assert mine, "the demo makes Inés a member of the twinning she answers in"
    forbidden = [text for item in await _partner_items(everywhere - mine) for text in item]
    assert forbidden, "the demo has partners-only items outside the reader's twinnings"
    opened = await _walk(client, forbidden, await _partner_items(mine))
    assert opened > 60, f"only {opened} pages reached"
    print(who, opened, "pages")
