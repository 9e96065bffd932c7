"""Mutes, blocks and personal domain blocks from apps (Mastodon's endpoints). What they hide
is one rule in ``models.personal_blocks``; what they change is ``models.blocking``."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from models.accounts import Account
from models.blocking import (
    MAX_MUTE_SECONDS,
    Target,
    block,
    block_domain,
    clean_domain,
    mute,
    unblock,
    unblock_domain,
    unmute,
)
from models.personal_blocks import AccountBlock, PersonalDomainBlock, active_mutes
from models.remote import RemoteActor
from server.api.core import ApiError, Call, endpoint, id_page, not_found, paged
from server.api.entities import account_entities, actor_by_id, relationship
from server.api.statuses import viewing


async def _target(call: Call) -> Target:
    actor = await actor_by_id(call.request.path_params["account_id"])
    if actor is None:
        raise not_found()
    if not isinstance(actor, Account | RemoteActor):
        raise ApiError(422, "Validation failed: only people and remote accounts can be muted")
    return actor


def _duration(call: Call) -> int:
    raw = call.params.text("duration") or "0"
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_MUTE_SECONDS:
        raise ApiError(422, "Validation failed: duration must be a number of seconds")
    return int(raw)


def _notifications(call: Call) -> bool:
    return call.params.flag("notifications") if call.params.has("notifications") else True


@endpoint("write:mutes")
async def mute_account(call: Call) -> Any:
    target = await _target(call)
    await mute(call.user, target, _notifications(call), _duration(call))
    return await relationship(call.user, target)


@endpoint("write:mutes")
async def unmute_account(call: Call) -> Any:
    target = await _target(call)
    await unmute(call.user, target)
    return await relationship(call.user, target)


@endpoint("write:blocks")
async def block_account(call: Call) -> Any:
    target = await _target(call)
    await block(call.user, target)
    return await relationship(call.user, target)


@endpoint("write:blocks")
async def unblock_account(call: Call) -> Any:
    target = await _target(call)
    await unblock(call.user, target)
    return await relationship(call.user, target)


async def _listed(call: Call, rows: list[Any]) -> Any:
    """The accounts of a page of mutes or blocks, paged by the rows' ids as Mastodon does."""
    people = {a.id: a for a in await Account.filter(id__in=[r.target_account_id for r in rows])}
    remotes = {a.id: a for a in await RemoteActor.filter(id__in=[r.target_remote_id for r in rows])}
    targets: list[Target] = []
    for row in rows:
        found = people.get(row.target_account_id) or remotes.get(row.target_remote_id)
        if found is not None:
            targets.append(found)
    drawn = await account_entities(viewing(call), list(targets))
    return paged(call, drawn, [r.id for r in rows])


@endpoint("read:mutes")
async def mutes(call: Call) -> Any:
    return await _listed(call, await id_page(active_mutes(call.user), call.params))


@endpoint("read:blocks")
async def blocks(call: Call) -> Any:
    return await _listed(call, await id_page(AccountBlock.filter(account=call.user), call.params))


@endpoint("read:blocks")
async def domain_blocks(call: Call) -> Any:
    rows = await id_page(PersonalDomainBlock.filter(account=call.user), call.params)
    return paged(call, [r.domain for r in rows], [r.id for r in rows])


def _domain(call: Call) -> str:
    raw = call.params.text("domain")
    if not raw:
        raise ApiError(422, "Validation failed: domain is missing")
    domain = clean_domain(raw)
    if domain == call.settings.domain:
        raise ApiError(422, "Validation failed: domain is this server")
    return domain


@endpoint("write:blocks")
async def add_domain_block(call: Call) -> Any:
    await block_domain(call.user, _domain(call))
    return {}


@endpoint("write:blocks")
async def remove_domain_block(call: Call) -> Any:
    await unblock_domain(call.user, _domain(call))
    return {}


A = "/api/v1/accounts/{account_id:account_id}"
routes = [
    Route(f"{A}/mute", mute_account, methods=["POST"]),
    Route(f"{A}/unmute", unmute_account, methods=["POST"]),
    Route(f"{A}/block", block_account, methods=["POST"]),
    Route(f"{A}/unblock", unblock_account, methods=["POST"]),
    Route("/api/v1/mutes", mutes),
    Route("/api/v1/blocks", blocks),
    Route("/api/v1/domain_blocks", domain_blocks),
    Route("/api/v1/domain_blocks", add_domain_block, methods=["POST"]),
    Route("/api/v1/domain_blocks", remove_domain_block, methods=["DELETE"]),
]
