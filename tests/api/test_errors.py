"""Every endpoint answers bad calls as Mastodon does: 401 without a valid token, 403 when the
token lacks the scope, 404 for unknown ids, 422 with a message for bad parameters, always as
``{"error": ...}`` and never a 500."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import Instance, password_token

# (method, path, scope family the endpoint needs, whether anonymous callers are served)
ENDPOINTS = [
    ("GET", "/api/v1/apps/verify_credentials", None, False),
    ("GET", "/api/v1/instance", None, True),
    ("GET", "/api/v2/instance", None, True),
    ("GET", "/api/v1/instance/peers", None, True),
    ("GET", "/api/v1/accounts/verify_credentials", "read", False),
    ("PATCH", "/api/v1/accounts/update_credentials", "write", False),
    ("GET", "/api/v1/accounts/lookup?acct=alice", "read", True),
    ("GET", "/api/v1/accounts/search?q=al", "read", False),
    ("GET", "/api/v1/accounts/relationships?id[]=p1", "read", False),
    ("GET", "/api/v1/accounts/familiar_followers?id[]=p1", "read", False),
    ("GET", "/api/v1/accounts/{person}", "read", True),
    ("GET", "/api/v1/accounts/{person}/statuses", "read", True),
    ("GET", "/api/v1/accounts/{person}/followers", "read", True),
    ("GET", "/api/v1/accounts/{person}/following", "read", True),
    ("POST", "/api/v1/accounts/{twinning}/follow", "write", False),
    ("POST", "/api/v1/accounts/{twinning}/unfollow", "write", False),
    ("GET", "/api/v1/follow_requests", "read", False),
    ("POST", "/api/v1/follow_requests/{person}/authorize", "write", False),
    ("POST", "/api/v1/follow_requests/{person}/reject", "write", False),
    ("POST", "/api/v1/statuses", "write", False),
    ("GET", "/api/v1/statuses/{status}", "read", True),
    ("DELETE", "/api/v1/statuses/{status}", "write", False),
    ("PUT", "/api/v1/statuses/{status}", "write", False),
    ("GET", "/api/v1/statuses/{status}/source", "read", False),
    ("GET", "/api/v1/statuses/{status}/history", "read", True),
    ("GET", "/api/v1/statuses/{status}/context", "read", True),
    ("POST", "/api/v1/statuses/{status}/favourite", "write", False),
    ("POST", "/api/v1/statuses/{status}/unfavourite", "write", False),
    ("POST", "/api/v1/statuses/{status}/reblog", "write", False),
    ("POST", "/api/v1/statuses/{status}/unreblog", "write", False),
    ("POST", "/api/v1/statuses/{status}/bookmark", "write", False),
    ("POST", "/api/v1/statuses/{status}/unbookmark", "write", False),
    ("GET", "/api/v1/statuses/{status}/favourited_by", "read", True),
    ("GET", "/api/v1/statuses/{status}/reblogged_by", "read", True),
    ("GET", "/api/v1/timelines/home", "read", False),
    ("GET", "/api/v1/timelines/public", "read", True),
    ("GET", "/api/v1/timelines/tag/budget", "read", True),
    ("GET", "/api/v1/timelines/list/{list}", "read", False),
    ("GET", "/api/v1/lists", "read", False),
    ("GET", "/api/v1/lists/{list}", "read", False),
    ("GET", "/api/v1/lists/{list}/accounts", "read", False),
    ("GET", "/api/v1/bookmarks", "read", False),
    ("GET", "/api/v1/favourites", "read", False),
    ("GET", "/api/v1/notifications", "read", False),
    ("GET", "/api/v1/notifications/unread_count", "read", False),
    ("POST", "/api/v1/notifications/clear", "write", False),
    ("GET", "/api/v1/notifications/1", "read", False),
    ("POST", "/api/v1/notifications/1/dismiss", "write", False),
    ("GET", "/api/v2/search?q=lapaz", "read", True),
    ("POST", "/api/v2/media", "write", False),
    ("POST", "/api/v1/media", "write", False),
    ("GET", "/api/v1/media/1", "read", False),
    ("PUT", "/api/v1/media/1", "write", False),
    ("GET", "/api/v1/preferences", "read", False),
    ("GET", "/api/v1/filters", "read", False),
    ("GET", "/api/v2/filters", "read", False),
    ("GET", "/api/v1/mutes", "read", False),
    ("GET", "/api/v1/markers?timeline[]=home", "read", False),
    ("POST", "/api/v1/markers", "write", False),
]

# (method, path, body) that name something that does not exist
UNKNOWN = [
    ("GET", "/api/v1/statuses/999999", None),
    ("GET", "/api/v1/statuses/abc", None),
    ("DELETE", "/api/v1/statuses/999999", None),
    ("POST", "/api/v1/statuses/999999/favourite", None),
    ("GET", "/api/v1/statuses/999999/context", None),
    ("GET", "/api/v1/accounts/p999999", None),
    ("GET", "/api/v1/accounts/x1", None),
    ("POST", "/api/v1/accounts/t999999/follow", None),
    ("GET", "/api/v1/accounts/lookup?acct=nobody", None),
    ("GET", "/api/v1/notifications/999999", None),
    ("POST", "/api/v1/notifications/999999/dismiss", None),
    ("GET", "/api/v1/media/999999", None),
    ("GET", "/api/v1/lists/999999", None),
    ("GET", "/api/v1/timelines/list/999999", None),
    ("POST", "/api/v1/follow_requests/p999999/authorize", None),
    ("GET", "/api/v1/no/such/endpoint", None),
]

# (method, path, form body, a word the message must contain)
BAD_PARAMETERS = [
    ("POST", "/api/v1/statuses", {"status": ""}, "blank"),
    ("POST", "/api/v1/statuses", {"status": "@lapaz hi", "visibility": "everyone"}, "visibility"),
    ("POST", "/api/v1/statuses", {"status": "@lapaz hi", "media_ids[]": "zz"}, "media_ids"),
    ("POST", "/api/v1/statuses", {"status": "@lapaz " + "x" * 20_001}, "content"),
    ("POST", "/api/v1/statuses", {"status": "@lapaz hi", "sensitive": "maybe"}, "sensitive"),
    ("GET", "/api/v1/timelines/public?limit=lots", None, "limit"),
    ("GET", "/api/v1/timelines/home?max_id=abc", None, "max_id"),
    ("GET", "/api/v1/notifications?types[]=gossip", None, "gossip"),
    ("GET", "/api/v2/search", None, "q"),
    ("GET", "/api/v2/search?q=a&type=people", None, "type"),
    ("GET", "/api/v1/accounts/lookup", None, "acct"),
    ("PATCH", "/api/v1/accounts/update_credentials", {"source[language]": "xx"}, "language"),
    ("PATCH", "/api/v1/accounts/update_credentials", {"display_name": "x" * 101}, "display_name"),
    ("POST", "/api/v2/media", {"description": "no file"}, "file"),
    ("POST", "/api/v1/markers", {"home[last_read_id]": "abc"}, "last_read_id"),
    ("GET", "/api/v1/timelines/tag/no%20spaces", None, "hashtag"),
    ("POST", "/api/v1/lists", {"title": "mine"}, "twinnings"),
]


@pytest.fixture(scope="module")
def ids(instance: Instance) -> dict[str, str]:
    token = password_token(instance.base, "alice")
    auth = {"Authorization": f"Bearer {token}"}
    status = httpx.post(
        f"{instance.base}/api/v1/statuses", data={"status": "@lapaz for the matrix"}, headers=auth
    ).json()
    twinning = httpx.get(f"{instance.base}/api/v1/accounts/lookup?acct=lapaz").json()
    person = httpx.get(f"{instance.base}/api/v1/accounts/lookup?acct=alice").json()
    return {
        "status": status["id"],
        "twinning": twinning["id"],
        "person": person["id"],
        "list": twinning["id"][1:],
        "token": token,
        # Log-ins are rate-limited (10 per quarter hour), so the narrow tokens are made once.
        "read": password_token(instance.base, "alice", scopes="read"),
        "write": password_token(instance.base, "alice", scopes="write"),
    }


def call(
    instance: Instance, method: str, path: str, token: str | None, data: object = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.request(method, instance.base + path, headers=headers, data=data)  # type: ignore[arg-type]


@pytest.mark.parametrize(("method", "path", "scope", "anonymous"), ENDPOINTS)
def test_no_or_bad_token_is_401(
    instance: Instance, ids: dict[str, str], method: str, path: str, scope: str, anonymous: bool
) -> None:
    path = path.format(**ids)
    bad = call(instance, method, path, "not-a-token")
    assert bad.status_code == 401 and bad.json()["error"]
    if not anonymous:
        missing = call(instance, method, path, None)
        assert missing.status_code == 401 and missing.json()["error"]


@pytest.mark.parametrize(("method", "path", "scope", "anonymous"), ENDPOINTS)
def test_token_without_the_scope_is_403(
    instance: Instance, ids: dict[str, str], method: str, path: str, scope: str, anonymous: bool
) -> None:
    if scope is None:
        return
    other = {"read": "write", "write": "read"}[scope]
    answer = call(instance, method, path.format(**ids), ids[other])
    assert answer.status_code == 403, answer.text
    assert answer.json() == {"error": "This action is outside the authorized scopes"}


def test_app_token_is_not_a_user(instance: Instance) -> None:
    from tests.api.conftest import register_app

    app = register_app(instance.base, "read")
    token = httpx.post(
        f"{instance.base}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
    ).json()["access_token"]
    assert call(instance, "GET", "/api/v1/apps/verify_credentials", token).json()["name"] == "tests"
    answer = call(instance, "GET", "/api/v1/accounts/verify_credentials", token)
    assert answer.status_code == 422 and "authenticated user" in answer.json()["error"]


@pytest.mark.parametrize(("method", "path", "data"), UNKNOWN)
def test_unknown_ids_are_404(
    instance: Instance, ids: dict[str, str], method: str, path: str, data: object
) -> None:
    answer = call(instance, method, path, ids["token"], data)
    assert answer.status_code == 404 and answer.json() == {"error": "Record not found"}


@pytest.mark.parametrize(("method", "path", "data", "word"), BAD_PARAMETERS)
def test_bad_parameters_are_422_with_a_reason(
    instance: Instance, ids: dict[str, str], method: str, path: str, data: object, word: str
) -> None:
    answer = call(instance, method, path, ids["token"], data)
    assert answer.status_code == 422, answer.text
    assert word in answer.json()["error"]


def test_oauth_errors(instance: Instance) -> None:
    from tests.api.conftest import register_app

    token_url = f"{instance.base}/oauth/token"
    unknown = httpx.post(token_url, data={"grant_type": "password", "client_id": "nope"})
    assert unknown.status_code == 401 and unknown.json()["error"] == "invalid_client"
    app = register_app(instance.base, "read")
    client = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    wrong = httpx.post(
        token_url, data={**client, "grant_type": "password", "username": "alice", "password": "x"}
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    wider = httpx.post(
        token_url, data={**client, "grant_type": "client_credentials", "scope": "write"}
    )
    assert wider.json()["error"] == "invalid_scope"
    odd = httpx.post(token_url, data={**client, "grant_type": "magic"})
    assert odd.json()["error"] == "unsupported_grant_type"
    bad_app = httpx.post(
        f"{instance.base}/api/v1/apps", data={"client_name": "x", "scopes": "read"}
    )
    assert bad_app.status_code == 422 and "redirect_uris" in bad_app.json()["error"]
    bad_scope = httpx.post(
        f"{instance.base}/api/v1/apps",
        data={"client_name": "x", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "root"},
    )
    assert bad_scope.status_code == 422 and "root" in bad_scope.json()["error"]


def test_refresh_and_revoke(instance: Instance) -> None:
    from tests.api.conftest import register_app

    app = register_app(instance.base, "read")
    client = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    first = httpx.post(
        f"{instance.base}/oauth/token",
        data={
            **client,
            "grant_type": "password",
            "username": "alice",
            "password": "correct horse battery",
        },
    ).json()
    renewed = httpx.post(
        f"{instance.base}/oauth/token",
        data={**client, "grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
    ).json()
    assert (
        call(
            instance, "GET", "/api/v1/accounts/verify_credentials", first["access_token"]
        ).status_code
        == 401
    )
    token = renewed["access_token"]
    assert call(instance, "GET", "/api/v1/accounts/verify_credentials", token).status_code == 200
    httpx.post(f"{instance.base}/oauth/revoke", data={**client, "token": token}).raise_for_status()
    assert call(instance, "GET", "/api/v1/accounts/verify_credentials", token).status_code == 401


def test_malformed_bodies_are_4xx_never_500(instance: Instance, ids: dict[str, str]) -> None:
    json_header = {"Content-Type": "application/json"}
    for path in ("/oauth/token", "/oauth/revoke", "/api/v1/apps"):
        answer = httpx.post(instance.base + path, content=b"{not json", headers=json_header)
        assert answer.status_code == 400, (path, answer.text)
    auth = {"Authorization": f"Bearer {ids['token']}", **json_header}
    for body in (b"{not json", b"[1, 2]", b'{"status": ["a list"]}'):
        answer = httpx.post(f"{instance.base}/api/v1/statuses", content=body, headers=auth)
        assert 400 <= answer.status_code < 500 and answer.json()["error"], body
