"""Reading forms: every POST goes through ``read_form``, which enforces the CSRF token and the
size bounds, so no handler can forget them."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from models.config import LOCALES
from models.errors import ModelError, NotAllowed
from models.lookup import record_id
from server import i18n
from server.params import checked_text
from server.web.session import csrf_valid

MAX_FIELD_BYTES = 256 * 1024
MAX_UPLOAD_BYTES = 16 * 1024 * 1024 + 1


async def read_form(request: Request, upload: bool = False) -> FormData:
    """``upload``: the form carries one file (the body limit lets such paths through)."""
    form = await request.form(
        max_files=1 if upload else 0,
        max_fields=200,
        max_part_size=MAX_UPLOAD_BYTES if upload else MAX_FIELD_BYTES,
    )
    token = form.get("csrf_token")
    if not isinstance(token, str) or not csrf_valid(request, token):
        raise HTTPException(
            403,
            i18n.gettext(
                "The form expired or came from another site. Reload the page and try again."
            ),
        )
    return form


def text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return checked_text(name, value, MAX_FIELD_BYTES) if isinstance(value, str) else ""


def texts(form: FormData, name: str) -> list[str]:
    return [
        checked_text(name, v, MAX_FIELD_BYTES) for v in form.getlist(name) if isinstance(v, str)
    ]


def langmap(form: FormData, prefix: str) -> dict[str, str]:
    """Fields named ``<prefix>_<lang>`` make one language map."""
    return {lang: text(form, f"{prefix}_{lang}") for lang in LOCALES}


def error_text(exc: ModelError) -> str:
    """Model messages are sentence fragments ("this name is taken"); shown alone, they start
    with a capital."""
    message = i18n.gettext(exc.message, **exc.params)
    return message[:1].upper() + message[1:]


def refusal_text(exc: ModelError) -> str:
    """Why a form was refused, to show beside it. A refusal of the person rather than of
    what they typed (``NotAllowed``) is raised again, to become the 403 page."""
    if isinstance(exc, NotAllowed):
        raise exc
    return error_text(exc)


def page_number(request: Request) -> int:
    number = record_id(request.query_params.get("page", "1"))
    if number is None or not 1 <= number <= 10_000:
        raise HTTPException(400, i18n.gettext("The page number must be a whole number from 1."))
    return number
