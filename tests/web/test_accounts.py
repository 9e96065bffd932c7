"""Sign-up in its three modes, log in and out, settings, CSRF and rate limits."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from models.accounts import Account, create_invitation
from models.config import Settings
from server.app import create_app
from tests.conftest import PASSWORD, log_in, make_account, post_form


def _client_for(settings: Settings, **changes: object) -> httpx.AsyncClient:
    app = create_app(dataclasses.replace(settings, **changes), manage_database=False)
    app.state.federation = None  # these tests touch no federation
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver.localhost")


SIGNUP = {
    "username": "Nadia_B",
    "email": "nadia@example.org",
    "password": PASSWORD,
    "display_name": "Nadia",
}


async def test_open_sign_up_logs_the_newcomer_in(client: httpx.AsyncClient) -> None:
    response = await post_form(client, "/signup", "/signup", SIGNUP)
    assert response.status_code == 303
    account = await Account.get(username="nadia_b")
    assert account.state == "active" and account.password_hash.startswith("$argon2")
    assert "Nadia" in (await client.get("/settings")).text


async def test_sign_up_on_approval_waits_for_an_admin(settings: Settings) -> None:
    admin = await make_account("root", role="admin")
    async with _client_for(settings, registrations="approval") as c:
        assert (await post_form(c, "/signup", "/signup", SIGNUP)).status_code == 303
        assert (await Account.get(username="nadia_b")).state == "pending"
        refused = await post_form(
            c, "/login", "/login", {"username": "nadia_b", "password": PASSWORD}
        )
        assert refused.status_code == 403 and "approval" in refused.text
        await log_in(c, admin.username)
        admin_page = await c.get("/admin")
        assert "nadia_b" in admin_page.text
        ok = await post_form(c, "/admin", "/admin/accounts/nadia_b", {"action": "approve"})
        assert ok.status_code == 303
    assert (await Account.get(username="nadia_b")).state == "active"


async def test_sign_up_by_invitation_needs_a_valid_link(settings: Settings) -> None:
    admin = await make_account("root", role="admin")
    invitation = await create_invitation(admin)
    async with _client_for(settings, registrations="invitation") as c:
        closed = await c.get("/signup")
        assert "invitation" in closed.text and 'name="password"' not in closed.text
        forged = await post_form(c, "/login", "/signup?invitation=forged", SIGNUP)
        assert forged.status_code == 403
        assert not await Account.filter(username="nadia_b").exists()
        page = f"/signup?invitation={invitation.code}"
        assert (await post_form(c, page, page, SIGNUP)).status_code == 303
        again = await post_form(
            c, "/login", page, {**SIGNUP, "username": "other", "email": "o@example.org"}
        )
        assert again.status_code == 403
    assert (await Account.get(username="nadia_b")).state == "active"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"username": "x"}, "2 to 30 letters"),
        ({"username": "no spaces"}, "2 to 30 letters"),
        ({"email": "not-an-address"}, "valid e-mail"),
        ({"password": "short"}, "10 to 200"),
        ({"username": "api"}, "reserved"),
    ],
)
async def test_bad_sign_up_re_renders_the_form_with_a_reason(
    client: httpx.AsyncClient, changes: dict[str, str], message: str
) -> None:
    response = await post_form(client, "/signup", "/signup", {**SIGNUP, **changes})
    assert response.status_code == 400
    assert message in response.text
    assert 'name="username"' in response.text
    assert await Account.all().count() == 0


async def test_taken_name_is_refused_in_the_readers_language(client: httpx.AsyncClient) -> None:
    await make_account("nadia_b")
    client.cookies.set("lang", "es")
    response = await post_form(client, "/signup", "/signup", SIGNUP)
    assert response.status_code == 400
    assert "Este nombre ya está en uso" in response.text


async def test_names_are_shared_between_people_and_twinnings(client: httpx.AsyncClient) -> None:
    from models.twinnings import TwinningInput, create_twinning

    owner = await make_account("owner")
    await create_twinning(owner, "nadia_b", TwinningInput(title={"en": "T"}))
    response = await post_form(client, "/signup", "/signup", SIGNUP)
    assert response.status_code == 400 and "taken" in response.text


async def test_post_without_csrf_token_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/signup", data=SIGNUP)
    assert response.status_code == 403
    assert not await Account.exists()


async def test_login_logout_and_wrong_password(client: httpx.AsyncClient) -> None:
    await make_account("lea")
    wrong = await post_form(client, "/login", "/login", {"username": "lea", "password": "nope"})
    assert wrong.status_code == 400 and "Wrong name or password" in wrong.text
    await log_in(client, "lea")
    assert "Log out" in (await client.get("/")).text
    assert (await post_form(client, "/", "/logout", {})).status_code == 303
    assert (await client.get("/settings")).status_code == 303


async def test_login_is_rate_limited(client: httpx.AsyncClient) -> None:
    await make_account("lea")
    statuses = []
    for _ in range(12):
        r = await post_form(client, "/login", "/login", {"username": "lea", "password": "bad"})
        statuses.append(r.status_code)
    assert statuses[:10] == [400] * 10
    assert statuses[10:] == [429, 429]
    blocked = await post_form(client, "/login", "/login", {"username": "lea", "password": PASSWORD})
    assert blocked.status_code == 429


async def test_login_redirect_only_goes_to_local_paths(client: httpx.AsyncClient) -> None:
    await make_account("lea")
    r = await post_form(
        client,
        "/login",
        "/login",
        {"username": "lea", "password": PASSWORD, "next": "//evil.example/x"},
    )
    assert r.headers["location"] == "/"


async def test_password_change_needs_the_current_password(client: httpx.AsyncClient) -> None:
    await make_account("lea")
    await log_in(client, "lea")
    bad = await post_form(
        client,
        "/settings",
        "/settings",
        {"action": "password", "current_password": "wrong", "new_password": "a new long password"},
    )
    assert bad.status_code == 400 and "current password is wrong" in bad.text
    ok = await post_form(
        client,
        "/settings",
        "/settings",
        {"action": "password", "current_password": PASSWORD, "new_password": "a new long password"},
    )
    assert ok.status_code == 303
    await post_form(client, "/", "/logout", {})
    await log_in(client, "lea", "a new long password")


async def test_account_language_wins_over_accept_language(client: httpx.AsyncClient) -> None:
    await make_account("lea", locale="fr")
    await log_in(client, "lea")
    page = await client.get("/", headers={"Accept-Language": "es"})
    assert '<html lang="fr">' in page.text
    await client.get("/language?to=es&next=/directory")
    assert (await Account.get(username="lea")).locale == "es"
    assert '<html lang="es">' in (await client.get("/")).text


async def test_language_switcher_for_visitors_uses_a_cookie(client: httpx.AsyncClient) -> None:
    r = await client.get("/language?to=fr&next=/directory")
    assert r.status_code == 303 and r.headers["location"] == "/directory"
    assert '<html lang="fr">' in (await client.get("/", headers={"Accept-Language": "es"})).text


async def test_suspended_account_is_logged_out_at_once(client: httpx.AsyncClient) -> None:
    lea = await make_account("lea")
    await log_in(client, "lea")
    lea.state = "suspended"
    await lea.save()
    assert (await client.get("/settings")).status_code == 303


async def test_two_sign_ups_racing_for_one_name_make_one_account(
    client: httpx.AsyncClient,
) -> None:
    import asyncio

    from models.accounts import Account, create_account
    from models.errors import Conflict

    results = await asyncio.gather(
        create_account("samename", "one@example.org", "long enough password"),
        create_account("samename", "two@example.org", "long enough password"),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Account", "Conflict"]
    assert isinstance(next(r for r in results if not isinstance(r, Account)), Conflict)
    assert await Account.filter(username="samename").count() == 1
