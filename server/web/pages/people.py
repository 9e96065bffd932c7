"""A person's page: who they are, where they belong, what the viewer may read of theirs."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federation.actors import person_document
from models.accounts import Account
from models.organisations import OrganisationMember
from models.pagination import paginate
from models.twinnings import Membership
from models.visibility import visible_items
from server.activitypub import activity_response, wants_actor
from server.web.forms import page_number
from server.web.guards import get_or_404, viewer_of
from server.web.render import render


async def person(request: Request) -> Response:
    account = await get_or_404(Account, username=request.path_params["username"], state="active")
    if wants_actor(request):
        settings = request.app.state.settings
        return activity_response(await person_document(settings, account))
    items = (
        visible_items(viewer_of(request))
        .filter(author=account)
        .prefetch_related("twinning", "author", "remote_author", "in_reply_to__twinning")
    )
    page = await paginate(items, page_number(request))
    organisations = (
        await OrganisationMember.filter(account=account).limit(100).prefetch_related("organisation")
    )
    memberships = (
        await Membership.filter(account=account, state="accepted")
        .limit(100)
        .prefetch_related("twinning")
    )
    return render(
        request,
        "person.html",
        account=account,
        page=page,
        organisations=[m.organisation for m in organisations],
        twinnings=[m.twinning for m in memberships],
    )


routes = [Route("/u/{username:handle}", person)]
