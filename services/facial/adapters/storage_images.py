"""Images of the caller's in the storage service, read with this service's identity acting for the
job's owner (the owner's own token may have expired by the time a job runs)."""

from __future__ import annotations

from imagemesh_kit.auth.service_identity import ServiceIdentity
from imagemesh_kit.clients.storage import StorageClient
from imagemesh_kit.config import ServiceSettings


class StorageImages:
    def __init__(self, client: StorageClient, identity: ServiceIdentity) -> None:
        self.client = client
        self.identity = identity

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> StorageImages | None:
        """None when this deployment has no storage service or no service identity."""
        if not settings.storage_target or not settings.service_name or not settings.service_secret:
            return None
        return cls(StorageClient(settings.storage_target), ServiceIdentity.from_settings(settings))

    async def size(self, image_id: str, owner_id: str) -> tuple[int, int]:
        """(width, height) of the owner's image; NotFound(IMAGE_NOT_FOUND) for a missing or foreign one."""
        image = await self.client.get(image_id, await self.identity.metadata(on_behalf_of=owner_id))
        return image.width, image.height

    async def fetch(self, image_id: str, owner_id: str) -> bytes:
        _, data = await self.client.download(image_id, await self.identity.metadata(on_behalf_of=owner_id))
        return data

    async def close(self) -> None:
        await self.client.close()
