"""The two faces of the visibility rule agree, over every combination of item visibility,
membership state, viewer state and author state; and partner-only means members only."""

from __future__ import annotations

import itertools

from models.accounts import Account
from models.content import ContentItem
from models.posting import edit_update, post_update
from models.twinnings import Membership, TwinningInput, create_twinning
from models.visibility import may_view, visible_items
from tests.conftest import make_account

NO_MEMBERSHIP = "none"
STATES = (NO_MEMBERSHIP, "invited", "pending", "accepted")


async def _scenario() -> tuple[list[ContentItem], list[tuple[Account | None, set[int]]]]:
    """Two twinnings, public and partner-only items in each, viewers in every state."""
    owner = await make_account("owner")
    t1 = await create_twinning(owner, "t_one", TwinningInput(title={"en": "One"}))
    t2 = await create_twinning(owner, "t_two", TwinningInput(title={"fr": "Deux"}))
    items = [
        await post_update(owner, t, vis, {"en": f"{t.slug} {vis}"})
        for t, vis in itertools.product((t1, t2), ("public", "partners"))
    ]
    public = {i.id for i in items if i.visibility == "public"}
    viewers: list[tuple[Account | None, set[int]]] = [
        (None, public),
        (owner, {i.id for i in items}),
    ]
    for n, (state, suspended) in enumerate(itertools.product(STATES, (False, True))):
        viewer = await make_account(f"viewer{n}")
        if state != NO_MEMBERSHIP:
            await Membership.create(twinning=t1, account=viewer, state=state)
        if suspended:
            viewer.state = "suspended"
            await viewer.save()
        expected = set(public)
        if state == "accepted" and not suspended:
            expected |= {i.id for i in items if i.twinning_id == t1.id}
        viewers.append((viewer, public if suspended else expected))
    return items, viewers


async def test_query_filter_and_single_check_agree_and_keep_partners_only_private() -> None:
    items, viewers = await _scenario()
    for viewer, expected in viewers:
        listed = {i.id for i in await visible_items(viewer)}
        checked = {i.id for i in items if await may_view(viewer, i)}
        name = viewer.username if viewer else "anonymous"
        assert listed == checked == expected, name


async def test_items_of_a_suspended_author_disappear_for_everyone() -> None:
    items, viewers = await _scenario()
    author = await Account.get(username="owner")
    author.state = "suspended"
    await author.save()
    for viewer, _ in viewers:
        assert await visible_items(viewer).count() == 0
        assert not [i for i in items if await may_view(viewer, i)]


async def test_an_edit_never_widens_the_audience() -> None:
    owner = await make_account("owner")
    outsider = await make_account("outsider")
    t = await create_twinning(owner, "t_one", TwinningInput(title={"en": "One"}))
    item = await post_update(owner, t, "partners", {"en": "secret plan"})
    await edit_update(owner, item, {"en": "secret plan, revised", "es": "plan"}, {})
    item = await ContentItem.get(id=item.id)
    assert item.visibility == "partners"
    assert not await may_view(outsider, item)
    assert not await may_view(None, item)
