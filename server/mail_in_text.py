"""What a received mail says, as the discussions want it: who sent it, whether a robot did,
the new text alone (quoted text and signatures cut by ``mail-parser-reply``, which knows the
reply headers of French, English and Spanish mail clients; an HTML-only mail turned into
Markdown first), and its attached files."""

from __future__ import annotations

import email.policy
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses

import html2text
from mailparser_reply import EmailReplyParser

MAX_ATTACHMENTS = 10
QUOTE_LANGUAGES = ["fr", "en", "es"]
# Subjects of out-of-office answers from clients that mark them with no header.
_AUTO_SUBJECT = re.compile(
    r"^\s*(out of (the )?office\b|automatic reply\b|auto(matic)?[- ]?reply\b|autoreply\b|"
    r"réponse automatique\b|message d'absence\b|absent(e)? du bureau\b|"
    r"respuesta automática\b|fuera de la oficina\b|auto:)",
    re.IGNORECASE,
)
_ATTRIBUTION = re.compile(
    r"^[ >]*(?:On|Le|El)\s[^\n]*(?:\n[^\n]*)?\s(?:wrote|a\s+écrit|escribió)\s?:[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_SENT_FROM = re.compile(
    r"^\s*(sent from my|envoyé de mon|envoyé depuis|enviado desde mi|get outlook for|"
    r"obtenir outlook pour|obtener outlook para)\b",
    re.IGNORECASE,
)
_AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder")
_ROBOT_PRECEDENCE = ("bulk", "junk", "list", "auto_reply")


@dataclass
class Attachment:
    filename: str
    content: bytes


@dataclass
class Received:
    """A parsed mail: headers we act on, and the body once cleaned."""

    message: EmailMessage
    sender: str  # the From address, lower case ("" if none or several)
    subject: str
    text: str
    attachments: list[Attachment] = field(default_factory=list)

    def header(self, name: str) -> str:
        return str(self.message.get(name, "") or "").strip()


def parse(raw: bytes) -> Received:
    message = BytesParser(policy=email.policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return Received(
        message=message,
        sender=from_address(message),
        subject=_subject(message),
        text=new_text(message),
        attachments=attachments(message),
    )


def from_address(message: EmailMessage) -> str:
    """The single address of the From header; "" when there is none or more than one (a mail
    claiming two authors speaks for no member)."""
    try:
        found = getaddresses([str(v) for v in message.get_all("From", [])])
    except (TypeError, ValueError, IndexError):
        return ""
    addresses = [address.strip().lower() for _, address in found if "@" in address]
    return addresses[0] if len(addresses) == 1 else ""


def _subject(message: EmailMessage) -> str:
    try:
        subject = str(message.get("Subject", "") or "")
    except (TypeError, ValueError):
        return ""
    return " ".join(subject.split())


def is_automatic(message: EmailMessage, own_list_suffix: str) -> bool:
    """Auto-replies, out-of-office notices, bounces, other lists' traffic and our own mail
    coming back (RFC 3834): none of them is taking part, and none is answered."""
    auto = str(message.get("Auto-Submitted", "") or "").strip().lower()
    if auto and auto != "no":
        return True
    if str(message.get("Precedence", "") or "").strip().lower() in _ROBOT_PRECEDENCE:
        return True
    if any(message.get(name) is not None for name in _AUTO_HEADERS):
        return True
    suppress = str(message.get("X-Auto-Response-Suppress", "") or "").lower()
    if "oof" in suppress and _AUTO_SUBJECT.match(_subject(message)):
        return True
    list_id = str(message.get("List-Id", "") or "").strip().lower()
    if list_id.rstrip(">").endswith(own_list_suffix):
        return True
    if message.get_content_type() == "multipart/report":  # a delivery status notification
        return True
    return bool(_AUTO_SUBJECT.match(_subject(message)))


_STATUS = re.compile(r"^Status:\s*([245]\.\d{1,3}\.\d{1,3})", re.IGNORECASE | re.MULTILINE)


def delivery_status(message: EmailMessage) -> str:
    """The status code of a delivery status notification (RFC 3464), "5.1.1" say; "" when
    the mail is not one. A 5 is permanent (a hard bounce), a 4 is not."""
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        blocks = payload if isinstance(payload, list) else [payload]
        for block in blocks:
            found = _STATUS.search(str(block))
            if found:
                return found[1]
    return ""


def new_text(message: EmailMessage) -> str:
    """The words the sender wrote this time: the plain-text part, or the HTML one made
    Markdown, without what it quotes, its signature or its "sent from my phone"."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        body = str(part.get_content())  # type: ignore[attr-defined]
    except (LookupError, ValueError):  # an unknown charset or a broken encoding
        payload = part.get_payload(decode=True)
        body = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if part.get_content_type() == "text/html":
        body = html_to_markdown(body)
    return strip_quotes(body)


def html_to_markdown(html: str) -> str:
    """Markdown the markup path renders and sanitises like typed text; images are dropped
    (an attached picture comes as a file, a remote one would be a tracker)."""
    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.ignore_images = True
    converter.ignore_tables = False
    converter.single_line_break = False
    return str(converter.handle(html))


def strip_quotes(body: str) -> str:
    """The latest reply without its quotes and signature. The parser misses an attribution
    line naming someone whose name ends in "le" (Maëlle) in French, or Gmail's Spanish one,
    so those lines are cut first; quoted lines left at the end and "sent from my phone" go
    too."""
    body = _cut_attribution(body.replace("\r\n", "\n"))
    reply = EmailReplyParser(languages=list(QUOTE_LANGUAGES)).read(body)
    text = reply.replies[0].body if reply.replies else body
    lines = text.split("\n")
    while lines and (
        not lines[-1].strip() or lines[-1].lstrip().startswith(">") or _SENT_FROM.match(lines[-1])
    ):
        lines.pop()
    return "\n".join(lines).strip()


def _cut_attribution(body: str) -> str:
    """Everything from the first "On ... wrote:" (fr, en, es; on one line or wrapped on two)
    that quoted lines follow."""
    for found in _ATTRIBUTION.finditer(body):
        rest = [line for line in body[found.end() :].split("\n") if line.strip()]
        if not rest or rest[0].lstrip().startswith(">"):
            return body[: found.start()]
    return body


def attachments(message: EmailMessage) -> list[Attachment]:
    found = []
    for part in message.iter_attachments():
        filename = part.get_filename()
        payload = part.get_payload(decode=True)
        if not filename or not isinstance(payload, bytes) or not payload:
            continue
        found.append(Attachment(filename=_clean_name(filename), content=payload))
        if len(found) == MAX_ATTACHMENTS:
            break
    return found


def _clean_name(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in name if c.isprintable()).strip()[:150] or "file"
