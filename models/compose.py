"""A status from a Mastodon app, read the Jumelage way (DESIGN.md section 5).

Everything posted here belongs to a twinning: a member mentioning a twinning posts an update
to it (``public``/``unlisted``: public; ``private``/``direct``: partners only), and an answer
(``in_reply_to_id``) joins the thread it answers, with that thread's audience. A mention by a
non-member is never an update of the twinning."""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.accounts import Account
from models.config import LOCALES, Settings
from models.content import ContentItem, ContentWarning
from models.errors import N_, Invalid, NotAllowed
from models.happenings import acting
from models.langdetect import detect
from models.polls import PollInput, add_poll
from models.posting import post_reply, post_update
from models.twinnings import Twinning, membership_of
from models.visibility import may_view

MENTION = re.compile(r"(?<![\w@/])@([a-z0-9_][a-z0-9_.-]*)(?:@([a-z0-9.-]+(?::\d+)?))?", re.I)
VISIBILITIES = {"public": "public", "unlisted": "public", "private": "partners"}
VISIBILITIES["direct"] = "partners"


@dataclass
class Mentions:
    twinnings: list[Twinning]
    people: list[Account]


async def mentions_in(settings: Settings, text: str) -> Mentions:
    """Our own twinnings and people named in the text (handles of other servers are left as
    text)."""
    twinnings: list[Twinning] = []
    people: list[Account] = []
    for match in MENTION.finditer(text):
        name, domain = match.group(1).lower().rstrip("."), (match.group(2) or "").lower()
        if domain and domain != settings.domain:
            continue
        twinning = await Twinning.get_or_none(slug=name)
        if twinning is not None and twinning not in twinnings:
            twinnings.append(twinning)
            continue
        person = await Account.get_or_none(username=name, state="active")
        if person is not None and person not in people:
            people.append(person)
    return Mentions(twinnings, people)


def without_mention(settings: Settings, text: str, twinning: Twinning) -> str:
    """The update lives in the twinning; the mention that put it there is not kept in it."""

    def drop(match: re.Match[str]) -> str:
        same = match.group(1).lower() == twinning.slug and (
            not match.group(2) or match.group(2).lower() == settings.domain
        )
        return "" if same else match.group(0)

    return re.sub(r"[ \t]{2,}", " ", MENTION.sub(drop, text)).strip()


def language_of(requested: str, author: Account, settings: Settings, text: str = "") -> str:
    """The status's language when given and Jumelage has it; else the text's own, guessed;
    else the author's, else the instance's."""
    if requested.lower()[:2] in LOCALES:
        return requested.lower()[:2]
    fallback = author.locale if author.locale in LOCALES else settings.default_locale
    return detect(text, fallback) if text else fallback


async def thread_root(item: ContentItem) -> ContentItem:
    """Threads are flat: an answer to an answer joins the same thread."""
    while item.in_reply_to_id is not None:
        item = await ContentItem.get(id=item.in_reply_to_id)
    return item


@dataclass
class Placement:
    """Where a status goes: an answer in the thread of ``root``, or an update of ``twinning``."""

    mentions: Mentions
    root: ContentItem | None = None
    twinning: Twinning | None = None


async def place(
    settings: Settings, author: Account, text: str, visibility: str, reply_to: ContentItem | None
) -> Placement:
    """Decided before anything is written, so that a scheduled status is refused when it is
    scheduled rather than when it falls due (and checked again then)."""
    if visibility not in VISIBILITIES:
        raise Invalid("visibility", N_("choose one of the offered values"))
    mentions = await mentions_in(settings, text)
    if reply_to is not None:
        root = await thread_root(reply_to)
        if not await may_view(author, root):
            raise NotAllowed("in_reply_to_id", N_("only members may post updates"))
        return Placement(mentions, root=root)
    return Placement(mentions, twinning=await _member_twinning(author, mentions.twinnings))


async def compose(
    settings: Settings,
    author: Account,
    text: str,
    visibility: str,
    language: str,
    warning: ContentWarning,
    reply_to: ContentItem | None,
    poll: PollInput | None = None,
) -> tuple[ContentItem, Mentions]:
    """A poll goes with an update of a twinning only (an answer holds none), in the update's
    transaction, so that it goes out with it."""
    where = await place(settings, author, text, visibility, reply_to)
    if poll is not None and where.twinning is None:
        raise Invalid("poll", N_("only an update of a twinning may hold a poll"))
    mentions = where.mentions
    lang = language_of(language, author, settings, text)
    if where.root is not None and reply_to is not None:
        parent = reply_to if reply_to.id != where.root.id else None
        answer = await post_reply(
            author, where.root, {lang: text}, warning, parent, mentioned=mentions.people
        )
        return answer, mentions
    assert where.twinning is not None
    async with acting():
        item = await post_update(
            author,
            where.twinning,
            VISIBILITIES[visibility],
            {lang: without_mention(settings, text, where.twinning)},
            language=lang,
            warning=warning,
            mentioned=mentions.people,
        )
        if poll is not None:
            await add_poll(item, poll)
    return item, mentions


async def _member_twinning(author: Account, twinnings: list[Twinning]) -> Twinning:
    if not twinnings:
        raise Invalid(
            "status", N_("mention a twinning you belong to (@name): posts here go to twinnings")
        )
    for twinning in twinnings:
        m = await membership_of(author, twinning)
        if m is not None and m.state == "accepted":
            return twinning
    raise NotAllowed("status", N_("only members may post updates"))
