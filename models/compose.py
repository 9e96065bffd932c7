"""A status from a Mastodon app, read the Jumelage way (DESIGN.md section 5).

Everything posted here belongs to a twinning: a member mentioning a twinning posts an update
to it (``public``/``unlisted``: public; ``private``/``direct``: partners only), and an answer
(``in_reply_to_id``) joins the thread it answers, with that thread's audience. A twinning of
another server (``@slug@other.server``) the person belongs to takes updates alike, delivered to
it (``models.remote_updates``). A mention by a non-member is never an update of the twinning."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from models.accounts import Account
from models.config import LOCALES, Settings
from models.content import ContentItem, ContentWarning
from models.errors import N_, Invalid, NotAllowed
from models.happenings import acting
from models.langdetect import detect
from models.polls import PollInput, add_poll
from models.posting import post_reply, post_update
from models.remote import RemoteActor, netloc_of
from models.remote_updates import is_member_afar, post_remote_update
from models.twinnings import Twinning, membership_of
from models.visibility import may_view

MENTION = re.compile(r"(?<![\w@/])@([a-z0-9_][a-z0-9_.-]*)(?:@([a-z0-9.-]+(?::\d+)?))?", re.I)
VISIBILITIES = {"public": "public", "unlisted": "public", "private": "partners"}
VISIBILITIES["direct"] = "partners"


@dataclass
class Mentions:
    twinnings: list[Twinning]
    people: list[Account]
    twinnings_afar: list[RemoteActor] = field(default_factory=list)


async def _group_afar(name: str, domain: str) -> RemoteActor | None:
    """A twinning (Group) of another server already known here, by ``name@host[:port]``:
    who belongs to one has it cached since joining, so nothing is fetched."""
    host = domain.split(":")[0]
    candidates = await RemoteActor.filter(handle__iexact=name, domain=host, actor_type="Group")
    return next((c for c in candidates if netloc_of(c.uri) == domain), None)


async def mentions_in(settings: Settings, text: str) -> Mentions:
    """Our own twinnings and people named in the text, and the twinnings of other servers
    known here (other handles of other servers are left as text)."""
    twinnings: list[Twinning] = []
    people: list[Account] = []
    afar: list[RemoteActor] = []
    for match in MENTION.finditer(text):
        name, domain = match.group(1).lower().rstrip("."), (match.group(2) or "").lower()
        if domain and domain != settings.domain:
            group = await _group_afar(name, domain)
            if group is not None and group not in afar:
                afar.append(group)
            continue
        twinning = await Twinning.get_or_none(slug=name)
        if twinning is not None and twinning not in twinnings:
            twinnings.append(twinning)
            continue
        person = await Account.get_or_none(username=name, state="active")
        if person is not None and person not in people:
            people.append(person)
    return Mentions(twinnings, people, afar)


def without_mention(settings: Settings, text: str, twinning: Twinning | RemoteActor) -> str:
    """The update lives in the twinning; the mention that put it there is not kept in it."""
    domains: tuple[str, ...] = ("", settings.domain)
    slug = twinning.slug if isinstance(twinning, Twinning) else twinning.handle.lower()
    if isinstance(twinning, RemoteActor):
        domains = (netloc_of(twinning.uri),)

    def drop(match: re.Match[str]) -> str:
        same = match.group(1).lower() == slug and (match.group(2) or "").lower() in domains
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
    twinning: Twinning | RemoteActor | None = None


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
    return Placement(mentions, twinning=await _member_twinning(author, mentions))


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
    content = {lang: without_mention(settings, text, where.twinning)}
    shown, people = VISIBILITIES[visibility], mentions.people
    async with acting():
        if isinstance(where.twinning, Twinning):
            item = await post_update(
                author, where.twinning, shown, content, None, lang, warning, mentioned=people
            )
            if poll is not None:
                await add_poll(item, poll)
        else:
            if poll is not None:
                raise Invalid("poll", N_("polls go to twinnings of this server only"))
            group = where.twinning
            item = await post_remote_update(author, group, shown, content, lang, warning, people)
    return item, mentions


async def _member_twinning(author: Account, mentions: Mentions) -> Twinning | RemoteActor:
    """The first twinning named that the author belongs to: ours first, then other servers'."""
    if not mentions.twinnings and not mentions.twinnings_afar:
        raise Invalid(
            "status", N_("mention a twinning you belong to (@name): posts here go to twinnings")
        )
    for twinning in mentions.twinnings:
        m = await membership_of(author, twinning)
        if m is not None and m.state == "accepted":
            return twinning
    for group in mentions.twinnings_afar:
        if await is_member_afar(author, group):
            return group
    raise NotAllowed("status", N_("only members may post updates"))
