"""Mastodon.py, the library many bots and scripts use, against a real ``jumelage serve``:
registration, both log-in flows, posting to a twinning, timelines with pagination, follows,
notifications, search, media, edits and deletion, and partner-only privacy throughout."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import secrets
import struct
import zlib
from datetime import UTC, datetime, timedelta

import blurhash
import httpx
import pytest
from mastodon import Mastodon
from mastodon.errors import MastodonAPIError, MastodonNotFoundError
from PIL import Image

from tests.api.conftest import PASSWORD, Instance
from tests.photos import assert_clean_and_upright, gps_photo

SCOPES = ["read", "write", "follow"]


def client_for(instance: Instance, username: str) -> Mastodon:
    client_id, secret = Mastodon.create_app(
        "jumelage-tests", api_base_url=instance.base, scopes=SCOPES
    )
    api = Mastodon(client_id=client_id, client_secret=secret, api_base_url=instance.base)
    api.log_in(username, PASSWORD, scopes=SCOPES, allow_http=True)
    return api


@pytest.fixture(scope="module")
def alice(instance: Instance) -> Mastodon:
    return client_for(instance, "alice")


@pytest.fixture(scope="module")
def bob(instance: Instance) -> Mastodon:
    return client_for(instance, "bob")


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\xff\x00\x00" * 2 + b"\x00" + b"\x00\xff\x00" * 2)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def pixels(content: bytes) -> list[tuple[int, ...]]:
    return list(Image.open(io.BytesIO(content)).convert("RGB").getdata())


def test_log_in_with_password_and_read_own_account(alice: Mastodon, instance: Instance) -> None:
    me = alice.account_verify_credentials()
    assert me["acct"] == "alice" and me["source"]["language"] in ("fr", "en", "es")
    assert alice.retrieve_mastodon_version() == "4.3.0"
    assert alice.instance_v2()["api_versions"]["mastodon"] == 2
    twinning = alice.account_lookup("lapaz")
    assert twinning["group"] is True and twinning["display_name"] == "Brest – La Paz"


def test_code_flow_with_pkce_through_the_consent_page(instance: Instance) -> None:
    app = httpx.post(
        f"{instance.base}/api/v1/apps",
        data={
            "client_name": "pkce app",
            "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
            "scopes": "read",
        },
    ).json()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    query = {
        "response_type": "code",
        "client_id": app["client_id"],
        "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
        "scope": "read",
        "code_challenge": challenge.decode(),
        "code_challenge_method": "S256",
    }
    with httpx.Client(base_url=instance.base, follow_redirects=True) as browser:
        page = browser.get("/oauth/authorize", params=query)
        assert "/login" in str(page.url)  # not signed in yet: the log-in page comes first
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf
        next_url = re.search(r'name="next" value="([^"]+)"', page.text)
        assert next_url and next_url.group(1).startswith("/oauth/authorize?")
        consent = browser.post(
            "/login",
            data={
                "csrf_token": csrf.group(1),
                "username": "alice",
                "password": PASSWORD,
                "next": next_url.group(1).replace("&amp;", "&"),
            },
        )
        assert "pkce app" in consent.text and "read" in consent.text
        form = dict(
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', consent.text)
        )
        shown = browser.post("/oauth/authorize", data={**form, "decision": "allow"})
        code = re.search(r'<code id="oauth-code">([^<]+)</code>', shown.text)
        assert code
    token_request = {
        "grant_type": "authorization_code",
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
        "code": code.group(1),
    }
    wrong = httpx.post(f"{instance.base}/oauth/token", data={**token_request, "code_verifier": "x"})
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    # The failed attempt used the code up: a code is good once.
    again = httpx.post(
        f"{instance.base}/oauth/token", data={**token_request, "code_verifier": verifier}
    )
    assert again.status_code == 400


def test_code_flow_with_mastodon_py(instance: Instance) -> None:
    client_id, secret = Mastodon.create_app("code app", api_base_url=instance.base, scopes=["read"])
    api = Mastodon(client_id=client_id, client_secret=secret, api_base_url=instance.base)
    url = api.auth_request_url(scopes=["read"], allow_http=True)
    with httpx.Client(follow_redirects=True) as browser:
        login = browser.get(f"{instance.base}/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert csrf
        browser.post(
            f"{instance.base}/login",
            data={"csrf_token": csrf.group(1), "username": "bob", "password": PASSWORD},
        )
        consent = browser.get(url)
        form = dict(
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', consent.text)
        )
        shown = browser.post(f"{instance.base}/oauth/authorize", data={**form, "decision": "allow"})
        code = re.search(r'<code id="oauth-code">([^<]+)</code>', shown.text)
        assert code
    api.log_in(code=code.group(1), scopes=["read"], allow_http=True)
    assert api.account_verify_credentials()["acct"] == "bob"
    with pytest.raises(MastodonAPIError) as refused:
        api.status_post("@lapaz not with a read-only token")
    assert refused.value.args[1] == 403


def test_member_posts_public_and_partner_only_updates(
    alice: Mastodon, bob: Mastodon, instance: Instance
) -> None:
    public = alice.status_post("@lapaz Workshop on open data next week", visibility="public")
    assert public["visibility"] == "public" and "Workshop" in public["content"]
    assert "@lapaz" not in public["content"]  # the mention put it in the twinning
    assert public["mentions"][0]["acct"] == "lapaz"
    partners = alice.status_post("@lapaz Draft budget 2027 for partners", visibility="direct")
    assert partners["visibility"] == "private"

    # The web page of the twinning shows both to members... and only the public one to others.
    anonymous = httpx.get(f"{instance.base}/t/lapaz").text
    assert "Workshop on open data" in anonymous and "Draft budget 2027" not in anonymous

    assert bob.status(public["id"])["id"] == public["id"]
    with pytest.raises(MastodonNotFoundError):
        bob.status(partners["id"])
    with pytest.raises(MastodonNotFoundError):
        bob.status_context(partners["id"])
    public_ids = [s["id"] for s in bob.timeline_public()]
    assert public["id"] in public_ids and partners["id"] not in public_ids
    found = bob.search_v2("Draft budget 2027", result_type="statuses")
    assert found["statuses"] == []
    assert [s["id"] for s in alice.search_v2("Draft budget 2027")["statuses"]] == [partners["id"]]


def test_non_member_cannot_post_to_a_twinning(bob: Mastodon) -> None:
    with pytest.raises(MastodonAPIError) as refused:
        bob.status_post("@lapaz let me in", visibility="public")
    assert refused.value.args[1] == 403
    with pytest.raises(MastodonAPIError) as nowhere:
        bob.status_post("a post that names no twinning")
    assert nowhere.value.args[1] == 422 and "twinning" in str(nowhere.value)


def test_following_a_twinning_brings_its_public_updates_home(
    alice: Mastodon, bob: Mastodon
) -> None:
    twinning = bob.account_lookup("lapaz")
    relationship = bob.account_follow(twinning["id"])
    assert relationship["following"] is True
    news = alice.status_post("@lapaz Minutes of the steering committee", visibility="public")
    secret = alice.status_post("@lapaz Partner-only minutes", visibility="direct")
    home = [s["id"] for s in bob.timeline_home()]
    assert news["id"] in home and secret["id"] not in home
    lists = bob.lists()
    assert [entry["title"] for entry in lists] == ["Brest – La Paz"]
    in_list = [s["id"] for s in bob.timeline_list(lists[0]["id"])]
    assert news["id"] in in_list and secret["id"] not in in_list
    assert secret["id"] in [s["id"] for s in alice.timeline_list(lists[0]["id"])]


def test_timeline_pagination_follows_link_headers(alice: Mastodon) -> None:
    posted = [alice.status_post(f"@lapaz Page test {n}")["id"] for n in range(5)]
    first = alice.timeline_list(alice.lists()[0]["id"], limit=2)
    assert [s["id"] for s in first] == posted[::-1][:2]
    second = alice.fetch_next(first)
    assert [s["id"] for s in second] == posted[::-1][2:4]
    newer = alice.fetch_previous(second)
    assert [s["id"] for s in newer] == posted[::-1][:2]
    since = alice.timeline_home(min_id=posted[2])
    assert [s["id"] for s in since] == posted[::-1][:2]


def test_follows_favourites_replies_and_notifications(alice: Mastodon, bob: Mastodon) -> None:
    alice.notifications_clear()
    me = bob.account_verify_credentials()
    alice_account = bob.account_lookup("alice")
    bob.account_follow(alice_account["id"])
    assert bob.account_relationships(alice_account["id"])[0]["following"] is True
    update = alice.status_post("@lapaz Call for proposals for the white paper")
    bob.status_favourite(update["id"])
    assert bob.status(update["id"])["favourited"] is True
    bob.status_reply(update, "Count us in!")
    kinds = {(n["type"], n["account"]["id"]) for n in alice.notifications()}
    assert {("follow", me["id"]), ("favourite", me["id"]), ("mention", me["id"])} <= kinds
    assert [a["acct"] for a in alice.status_favourited_by(update["id"])] == ["bob"]
    context = alice.status_context(update["id"])
    assert ["Count us in!" in d["content"] for d in context["descendants"]] == [True]
    first = alice.notifications()[0]
    alice.notifications_dismiss(first["id"])
    assert first["id"] not in [n["id"] for n in alice.notifications()]
    bob.status_unfavourite(update["id"])
    assert bob.status(update["id"])["favourites_count"] == 0


def test_partner_only_reply_notification_stays_with_members(
    alice: Mastodon, bob: Mastodon, instance: Instance
) -> None:
    """Bob is mentioned in a partner-only update: he is not a member, so he hears nothing."""
    bob.notifications_clear()
    alice.status_post("@lapaz @bob partner-only agenda", visibility="direct")
    assert [n for n in bob.notifications() if n["type"] == "mention"] == []
    alice.status_post("@lapaz @bob public agenda", visibility="public")
    assert [n["type"] for n in bob.notifications()] == ["mention"]


def test_media_upload_attaches_and_keeps_partner_only_files_private(
    alice: Mastodon, instance: Instance
) -> None:
    media = alice.media_post(png(), mime_type="image/png", description="Group photo")
    assert media["type"] == "image" and media["description"] == "Group photo"
    status = alice.status_post(
        "@lapaz Photo of the meeting", media_ids=[media["id"]], visibility="direct"
    )
    url = status["media_attachments"][0]["url"]
    assert httpx.get(url).status_code == 404  # anonymous
    member = httpx.get(url, headers={"Authorization": f"Bearer {alice.access_token}"})
    assert member.status_code == 200 and member.headers["content-type"] == "image/png"
    assert pixels(member.content) == pixels(png())  # encoded anew, the same picture
    with pytest.raises(MastodonAPIError) as reused:
        alice.status_post("@lapaz again", media_ids=[media["id"]])
    assert reused.value.args[1] == 422
    with pytest.raises(MastodonAPIError) as fake:
        alice.media_post(b"%!PS-Adobe not a pdf", mime_type="application/pdf", file_name="x.pdf")
    assert fake.value.args[1] == 422
    with pytest.raises(MastodonAPIError) as empty:
        alice.media_post(b"", mime_type="image/png", file_name="empty.png")
    assert empty.value.args[1] == 422
    pdf = alice.media_post(b"%PDF-1.4\n%test\n", mime_type="application/pdf", file_name="m.pdf")
    assert pdf["type"] == "unknown"


def test_a_photos_gps_and_camera_serial_never_leave_the_server(
    alice: Mastodon, instance: Instance
) -> None:
    """Uploaded with its EXIF (GPS, serial, orientation), fetched back byte for byte from the
    status's attachment: no EXIF left, turned upright, with size, thumbnail and blurhash."""
    media = alice.media_post(gps_photo(), mime_type="image/jpeg", description="Field visit")
    original, small = media["meta"]["original"], media["meta"]["small"]
    assert (original["width"], original["height"]) == (800, 1200)
    assert small["width"] * small["height"] <= 640 * 360 and small["aspect"] == pytest.approx(
        800 / 1200, rel=0.02
    )
    assert blurhash.is_valid_blurhash(media["blurhash"])
    status = alice.status_post("@lapaz From the field", media_ids=[media["id"]])
    attached = status["media_attachments"][0]
    assert attached["blurhash"] == media["blurhash"] and attached["meta"]["small"] == small
    auth = {"Authorization": f"Bearer {alice.access_token}"}
    assert_clean_and_upright(httpx.get(attached["url"], headers=auth).content)
    preview = httpx.get(attached["preview_url"], headers=auth)
    assert preview.headers["content-type"] == "image/jpeg"
    shown = Image.open(io.BytesIO(preview.content))
    assert shown.size == (small["width"], small["height"]) and not shown.getexif()
    v1 = httpx.post(
        f"{instance.base}/api/v1/media",
        headers=auth,
        files={"file": ("photo.jpg", gps_photo(), "image/jpeg")},
    ).json()
    assert v1["meta"]["original"]["width"] == 800 and v1["blurhash"]
    assert_clean_and_upright(httpx.get(v1["url"], headers=auth).content)


def test_svg_fake_and_polyglot_pictures(alice: Mastodon) -> None:
    """An SVG is no accepted picture; a PNG's first bytes before HTML are no picture; a GIF
    with a ZIP appended is kept as the GIF alone."""
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    fake = b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>"
    for content, reason in ((svg, "only PNG, JPEG"), (fake, "not a readable image")):
        with pytest.raises(MastodonAPIError) as refused:
            alice.media_post(content, mime_type="image/png", file_name="x.png")
        assert refused.value.args[1] == 422 and reason in str(refused.value.args[3])
    gif = io.BytesIO()
    Image.new("P", (4, 4), 1).save(gif, "GIF")
    polyglot = gif.getvalue() + b"PK\x03\x04" + b"payload" * 100
    media = alice.media_post(polyglot, mime_type="image/gif", file_name="x.gif")
    auth = {"Authorization": f"Bearer {alice.access_token}"}
    kept = httpx.get(media["url"], headers=auth).content
    assert kept.startswith(b"GIF8") and b"PK\x03\x04" not in kept and b"payload" not in kept


def test_edit_history_source_and_delete(alice: Mastodon, bob: Mastodon) -> None:
    status = alice.status_post("@lapaz Meeting on Tuesday", spoiler_text="schedule")
    assert status["spoiler_text"] == "schedule" and status["sensitive"] is True
    edited = alice.status_update(status["id"], "Meeting on Wednesday", spoiler_text="schedule")
    assert "Wednesday" in edited["content"] and edited["edited_at"] is not None
    history = alice.status_history(status["id"])
    assert ["Tuesday" in h["content"] for h in history] == [True, False]
    assert alice.status_source(status["id"])["text"] == "Meeting on Wednesday"
    with pytest.raises(MastodonAPIError) as refused:
        bob.status_update(status["id"], "Hijacked")
    assert refused.value.args[1] == 403
    deleted = alice.status_delete(status["id"])
    assert deleted["text"] == "Meeting on Wednesday"
    with pytest.raises(MastodonNotFoundError):
        alice.status(status["id"])


def test_untagged_statuses_get_their_language_guessed(alice: Mastodon) -> None:
    spanish = alice.status_post("@lapaz Reunión del comité de seguimiento el jueves en La Paz")
    assert spanish["language"] == "es"
    tagged = alice.status_post("@lapaz Réunion jeudi", language="fr")
    assert tagged["language"] == "fr"


def test_idempotency_key_posts_once(alice: Mastodon) -> None:
    key = secrets.token_hex(8)
    first = alice.status_post("@lapaz Posted once", idempotency_key=key)
    second = alice.status_post("@lapaz Posted once", idempotency_key=key)
    assert first["id"] == second["id"]


def test_features_not_built_yet_answer_empty_lists(alice: Mastodon) -> None:
    assert alice.conversations() == [] and alice.featured_tags() == []
    assert alice.instance_rules() == [] and alice.custom_emojis() == []


def test_a_new_account_has_no_mutes_blocks_or_filters(alice: Mastodon) -> None:
    """They are real lists (tests/api/test_mutes_blocks.py fills them); none to start with."""
    assert alice.filters() == [] and alice.filters_v2() == []
    assert alice.mutes() == [] and alice.blocks() == [] and alice.domain_blocks() == []


def test_search_accounts_and_bookmarks(alice: Mastodon) -> None:
    found = alice.search_v2("bogo", result_type="accounts")["accounts"]
    assert [a["acct"] for a in found] == ["bogota"] and found[0]["group"] is True
    status = alice.status_post("@lapaz Bookmark me")
    alice.status_bookmark(status["id"])
    assert status["id"] in [s["id"] for s in alice.bookmarks()]
    alice.status_unbookmark(status["id"])
    assert status["id"] not in [s["id"] for s in alice.bookmarks()]


def test_join_requests_are_follow_requests_for_moderators(
    instance: Instance, bob: Mastodon
) -> None:
    """Bob asks to join Bogotá (approval policy) on the web; Carla, its admin, accepts him
    from her app's follow requests."""
    carla = client_for(instance, "carla")
    with httpx.Client(base_url=instance.base, follow_redirects=True) as browser:
        login = browser.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert csrf
        browser.post(
            "/login", data={"csrf_token": csrf.group(1), "username": "bob", "password": PASSWORD}
        )
        page = browser.get("/t/bogota")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        browser.post("/t/bogota/join", data={"csrf_token": token.group(1)})
    requests = carla.follow_requests()
    assert [r["acct"] for r in requests] == ["bob"]
    told = carla.notifications(types=["follow_request"])
    assert [(n["type"], n["account"]["acct"]) for n in told] == [("follow_request", "bob")]
    carla.follow_request_authorize(requests[0]["id"])
    assert carla.follow_requests() == []
    posted = bob.status_post("@bogota Hola a todos", language="es", visibility="direct")
    assert posted["language"] == "es"


def test_a_report_from_an_app_reaches_the_admin_page(
    alice: Mastodon, bob: Mastodon, instance: Instance
) -> None:
    status = alice.status_post("@lapaz Cheap watches, click here", visibility="public")
    report = bob.report(alice.me()["id"], [status["id"]], "Looks like spam to me", category="spam")
    assert report["category"] == "spam" and report["status_ids"] == [status["id"]]
    instance.cli(
        "users", "create", "root", "--email", "root@example.org", "--password", PASSWORD, "--admin"
    )
    with httpx.Client(base_url=instance.base) as web:
        token = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/login").text)
        assert token
        form = {"csrf_token": token.group(1), "username": "root", "password": PASSWORD}
        assert web.post("/login", data=form).status_code == 303
        assert "Looks like spam to me" in web.get("/admin").text


def test_scheduled_statuses_through_mastodon_py(alice: Mastodon, bob: Mastodon) -> None:
    when = datetime.now(UTC) + timedelta(hours=2)
    scheduled = alice.status_post("@lapaz Réunion mensuelle", scheduled_at=when)
    assert scheduled["params"]["text"] == "@lapaz Réunion mensuelle"
    assert abs(scheduled["scheduled_at"] - when) < timedelta(seconds=1)
    assert [s["id"] for s in alice.scheduled_statuses()] == [scheduled["id"]]
    assert bob.scheduled_statuses() == []
    later = when + timedelta(days=1)
    moved = alice.scheduled_status_update(scheduled["id"], later)
    assert abs(moved["scheduled_at"] - later) < timedelta(seconds=1)
    assert "Réunion mensuelle" not in str(alice.timeline_home())
    with pytest.raises(MastodonAPIError) as soon:
        alice.status_post("@lapaz Trop tôt", scheduled_at=datetime.now(UTC) + timedelta(minutes=1))
    assert soon.value.args[1] == 422
    with pytest.raises(MastodonNotFoundError):
        bob.scheduled_status_delete(scheduled["id"])
    alice.scheduled_status_delete(scheduled["id"])
    assert alice.scheduled_statuses() == []
