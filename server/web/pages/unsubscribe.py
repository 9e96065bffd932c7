"""The unsubscribe address every mail carries. Its token (the signed account id) is the
permission, so it works without logging in, from the link or from a mail client's one-click
button (a POST with ``List-Unsubscribe=One-Click``, RFC 8058). Opening the link only shows a
button: mail scanners that follow links must not unsubscribe anyone."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.mail import account_of_token, unsubscribe
from server import i18n
from server.params import query_text
from server.web.render import render


def _account_id(request: Request) -> int:
    found = account_of_token(request.app.state.settings.secret_key, query_text(request, "token"))
    if found is None:
        raise HTTPException(400, i18n.gettext("This unsubscribe link is not valid."))
    return found


async def unsubscribe_page(request: Request) -> Response:
    account_id = _account_id(request)
    if request.method == "POST":
        await request.form(max_files=0, max_fields=5)
        await unsubscribe(account_id)
    return render(
        request,
        "unsubscribe.html",
        done=request.method == "POST",
        token=query_text(request, "token"),
    )


routes = [Route("/mail/unsubscribe", unsubscribe_page, methods=["GET", "POST"])]
