"""Remote actors' pictures: the icon an actor names is fetched once (the peer counts the
requests), through the outgoing client, cleaned like an upload, kept here and shown instead of
initials; the same address named by another actor of the server, or by the actor's refreshed
document, is not fetched again, and pages show the copy kept here; a file that is not a picture
is kept out, and not tried again. Our own new pictures reach followers as an Update of the
actor."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
from PIL import Image

from federation.context import Federation
from federation.remote_actors import actor_for, fetch_actor
from models.config import Settings
from models.follows import Follow
from models.pictures import set_avatar
from server.api.entities import Viewing, account_entity
from tests.conftest import make_account
from tests.federation.peer import AVATAR_PATH, Peer, drain
from tests.photos import gps_photo

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


async def test_a_remote_icon_is_fetched_once_cleaned_and_kept_here(
    fed: Federation, peer: Peer, settings: Settings
) -> None:
    ana = await fetch_actor(fed, peer.actor("ana"))
    assert ana.icon_uri == peer.base + AVATAR_PATH
    assert ana.icon.endswith((".png", ".jpg"))
    kept = Path(settings.data_dir) / "pictures" / ana.icon
    with Image.open(io.BytesIO(kept.read_bytes())) as image:
        assert image.size == (400, 400)  # re-encoded at our avatars' shape, not served as sent
    await actor_for(fed, peer.actor("ana"), refresh=True)
    ben = await fetch_actor(fed, peer.actor("ben"))
    assert ben.icon == ana.icon
    assert peer.file_gets == [AVATAR_PATH]
    entity = await account_entity(Viewing(settings, None, "en"), ana)
    assert entity["avatar"] == f"{settings.base_url}/pictures/{ana.icon}"


async def test_a_remote_twinning_shows_its_kept_picture_not_the_remote_address(
    fed: Federation, peer: Peer, client: httpx.AsyncClient
) -> None:
    group = await fetch_actor(fed, peer.actor("group_lapaz"))
    page = (await client.get("/directory", params={"kind": "remote"})).text
    assert f'src="/pictures/{group.icon}"' in page
    assert peer.base + AVATAR_PATH not in page  # readers' browsers never ask the other server


async def test_an_icon_that_is_no_picture_is_kept_out_and_not_tried_again(
    fed: Federation, peer: Peer
) -> None:
    peer.files["/drawing.svg"] = ("image/svg+xml", SVG)
    document = peer.actor_document(peer.actor("eve"))
    document["icon"] = {"type": "Image", "url": peer.base + "/drawing.svg"}
    peer.documents["/users/eve"] = document
    eve = await fetch_actor(fed, peer.actor("eve"))
    assert eve.icon_uri == peer.base + "/drawing.svg" and eve.icon == ""
    await actor_for(fed, peer.actor("eve"), refresh=True)
    assert peer.file_gets == ["/drawing.svg"]


async def test_a_new_avatar_is_sent_to_followers_as_an_update_of_the_actor(
    fed: Federation, peer: Peer, settings: Settings
) -> None:
    maelle = await make_account("maelle")
    ana = await peer.cached("ana")
    await Follow.create(follower=ana, target_type="person", target_id=maelle.id)
    await set_avatar(maelle, settings.data_dir, gps_photo())
    await drain(fed)
    updates = [r.activity for r in peer.received if r.activity["type"] == "Update"]
    assert len(updates) == 1
    person = updates[0]["object"]
    assert updates[0]["actor"] == person["id"] == f"{settings.base_url}/u/maelle"
    assert person["icon"]["url"] == f"{settings.base_url}/pictures/{maelle.avatar}"
