"""Web Push subscriptions (Mastodon's ``/api/v1/push/subscription``): an app gives the address
of its push service and its keys; the worker sends it each notification it asked for
(``models.push``, ``federation.push_delivery``). One subscription per access token, under the
``push`` scope."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from models.push import (
    ALERTS,
    PushSubscription,
    check_endpoint,
    check_policy,
    decode_key,
    subscribe,
    subscription_of,
    vapid_public_key,
)
from server.api.core import ApiError, Call, Params, bearer_of, endpoint


def nested(p: Params, *path: str) -> Any:
    """A form's ``data[alerts][mention]`` and JSON's ``{"data": {"alerts": {...}}}`` alike."""
    flat = path[0] + "".join(f"[{part}]" for part in path[1:])
    if flat in p.values:
        return p.values[flat]
    value: Any = p.values
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _text(p: Params, *path: str) -> str:
    value = nested(p, *path)
    if value is None:
        return ""
    if not isinstance(value, str | int | float | bool):
        raise ApiError(422, f"Validation failed: {'.'.join(path)} must be a string")
    return str(value)


def _alerts(p: Params) -> dict[str, bool]:
    """The alerts named in the request, true or false; those not named are left out."""
    given = {}
    for alert in ALERTS:
        value = nested(p, "data", "alerts", alert)
        if value is not None:
            given[alert] = Params({alert: value}).flag(alert)
    return given


def _policy(p: Params, default: str) -> str:
    return check_policy(_text(p, "data", "policy") or _text(p, "policy") or default)


def subscription_entity(call: Call, sub: PushSubscription) -> dict[str, Any]:
    return {
        "id": str(sub.id),
        "endpoint": sub.endpoint,
        "standard": sub.standard,
        "alerts": {alert: bool(sub.alerts.get(alert)) for alert in ALERTS},
        "policy": sub.policy,
        "server_key": vapid_public_key(call.settings.vapid_private_key),
    }


async def _own(call: Call) -> PushSubscription:
    assert call.token is not None
    sub = await subscription_of(call.token)
    if sub is None:
        raise ApiError(404, "Record not found")
    return sub


@endpoint("push")
async def create_subscription(call: Call) -> Any:
    """Replaces the token's subscription; alerts not asked for are off (as Mastodon)."""
    p = call.params
    assert call.token is not None
    p256dh = _text(p, "subscription", "keys", "p256dh").strip()
    auth = _text(p, "subscription", "keys", "auth").strip()
    decode_key(p256dh, 65, "subscription[keys][p256dh]")
    decode_key(auth, 16, "subscription[keys][auth]")
    fields = {
        "endpoint": check_endpoint(
            _text(p, "subscription", "endpoint"), call.settings.allow_private_addresses
        ),
        "p256dh": p256dh,
        "auth": auth,
        "standard": Params({"s": nested(p, "subscription", "standard")}).flag("s"),
        "alerts": _alerts(p),
        "policy": _policy(p, "all"),
    }
    bearer = bearer_of(call.request) or ""
    sub = await subscribe(call.token, bearer, call.settings.secret_key, fields)
    return subscription_entity(call, sub)


@endpoint("push")
async def show_subscription(call: Call) -> Any:
    return subscription_entity(call, await _own(call))


@endpoint("push")
async def update_subscription(call: Call) -> Any:
    """Changes the alerts named and the policy; the others stay as they were."""
    sub = await _own(call)
    sub.alerts = {**sub.alerts, **_alerts(call.params)}
    sub.policy = _policy(call.params, sub.policy)
    await sub.save(update_fields=["alerts", "policy"])
    return subscription_entity(call, sub)


@endpoint("push")
async def delete_subscription(call: Call) -> Any:
    """Answers ``{}`` whether there was one or not (as Mastodon)."""
    assert call.token is not None
    await PushSubscription.filter(token_id=call.token.id).delete()
    return {}


routes = [
    Route("/api/v1/push/subscription", create_subscription, methods=["POST"]),
    Route("/api/v1/push/subscription", show_subscription, methods=["GET"]),
    Route("/api/v1/push/subscription", update_subscription, methods=["PUT"]),
    Route("/api/v1/push/subscription", delete_subscription, methods=["DELETE"]),
]
