"""What federation needs at run time, made once per process: the settings, the outgoing client,
and signers built from our actors' keys."""

from __future__ import annotations

from dataclasses import dataclass

from federation import actors
from federation.fetch import RemoteClient, Signer
from federation.signatures import sign_request
from models.config import Settings


def signer_with(key_id: str, private_pem: str) -> Signer:
    def sign(method: str, url: str, body: bytes | None) -> dict[str, str]:
        return sign_request(method, url, key_id, private_pem, body)

    return sign


@dataclass
class Federation:
    settings: Settings
    client: RemoteClient
    instance_signer: Signer

    @classmethod
    async def start(cls, settings: Settings) -> Federation:
        key = await actors.actor_key("instance", 0)
        key_id = actors.instance_actor_uri(settings) + "#main-key"
        client = RemoteClient(allow_private=settings.allow_private_addresses)
        return cls(settings, client, signer_with(key_id, key.private_pem))

    async def signer_for(self, actor_type: str, actor_id: int, actor_uri: str) -> Signer:
        key = await actors.actor_key(actor_type, actor_id)
        return signer_with(actor_uri + "#main-key", key.private_pem)

    async def close(self) -> None:
        await self.client.close()
