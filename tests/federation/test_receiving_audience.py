"""The receiving side of a twinning of another server, as a property: for any set of our
people, any of them belonging to the twinning (or having asked, or having left) and any
addressing, a partner-only item the twinning announces is visible to exactly the people here
it is addressed to (by name or by a Mention), and a public one to everyone; belonging to the
twinning as far as this server knows widens nothing."""

from __future__ import annotations

import itertools

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from federation.context import Federation
from models.accounts import Account
from models.content import ContentItem
from models.remote import RemoteActor, Subscription
from models.visibility import may_view, visible_items
from tests.conftest import make_account
from tests.federation.peer import Peer, drain

BASE = "http://testserver.localhost"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
STATES = ("none", "pending", "accepted")
counter = itertools.count()

person = st.fixed_dictionaries(
    {
        "membership": st.sampled_from(STATES),
        "addressed": st.sampled_from(("no", "to", "cc", "tag")),
    }
)


def _announce(peer: Peer, n: int, public: bool, people: list[tuple[Account, str]]) -> dict:  # type: ignore[type-arg]
    group, author = peer.actor("group"), peer.actor("maelle")
    to = [PUBLIC] if public else [f"{group}/members"]
    cc = [f"{group}/followers"] if public else []
    tags = []
    for account, how in people:
        uri = f"{BASE}/u/{account.username}"
        if how == "to":
            to.append(uri)
        elif how == "cc":
            cc.append(uri)
        elif how == "tag":
            tags.append({"type": "Mention", "href": uri, "name": f"@{account.username}"})
    note = {
        "id": f"{peer.base}/notes/p{n}",
        "type": "Note",
        "attributedTo": author,
        "audience": group,
        "content": f"<p>item {n}</p>",
        "to": to,
        "cc": cc,
        "tag": tags,
    }
    create = {"id": f"{peer.base}/c/p{n}", "type": "Create", "actor": author, "object": note}
    create |= {"to": to, "cc": cc}
    return {
        "id": f"{peer.base}/a/p{n}",
        "type": "Announce",
        "actor": group,
        "object": create,
        "to": to,
        "cc": cc,
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(people=st.lists(person, min_size=1, max_size=5), public=st.booleans())
async def test_an_item_of_another_servers_twinning_reaches_exactly_whom_it_names(
    client: httpx.AsyncClient,
    fed: Federation,
    peer: Peer,
    people: list[dict],
    public: bool,  # type: ignore[type-arg]
) -> None:
    n = next(counter)
    # Examples share the test's database: the group is cached by the first one.
    group = await RemoteActor.get_or_none(uri=peer.actor("group")) or await peer.cached(
        "group", "Group"
    )
    reader = await make_account(f"reader{n}")  # follows the twinning, is never named
    await Subscription.create(
        account=reader, group=group, kind="follow", state="accepted", activity_uri=f"{BASE}/f/{n}"
    )
    accounts = []
    for i, drawn in enumerate(people):
        account = await make_account(f"p{n}x{i}")
        if drawn["membership"] != "none":
            await Subscription.create(
                account=account,
                group=group,
                kind="join",
                state=drawn["membership"],
                activity_uri=f"{BASE}/j/{n}/{i}",
            )
        accounts.append((account, drawn["addressed"]))
    activity = _announce(peer, n, public, accounts)
    headers, body = peer.signed_post("group", activity, f"{BASE}/inbox")
    assert (await client.post("/inbox", content=body, headers=headers)).status_code == 202
    await drain(fed)

    item = await ContentItem.get(uri=activity["object"]["object"]["id"])
    assert await may_view(reader, item) is public
    for account, how in accounts:
        expected = public or how != "no"
        assert await may_view(account, item) is expected, (how, public)
        listed = await visible_items(account).filter(id=item.id).exists()
        assert listed is expected  # the two faces of the rule agree
