"""A cache of the auth service's public keys, refreshed when a token names an unknown `kid`.

Fetches are single-flight (concurrent misses share one fetch) and rate-limited (an unknown `kid`
flood cannot hammer the auth service): at most one on-miss refresh per `min_refresh_s`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

import jwt

log = logging.getLogger(__name__)

JwksFetcher = Callable[[], Awaitable[list[dict]]]


class JwksCache:
    def __init__(self, fetch: JwksFetcher, *, max_age_s: float = 300.0, min_refresh_s: float = 2.0) -> None:
        self._fetch = fetch
        self._keys: dict[str, jwt.PyJWK] = {}
        self._loaded_at = 0.0
        self._max_age_s = max_age_s
        self._min_refresh_s = min_refresh_s
        self._lock = asyncio.Lock()

    def cached(self, kid: str) -> jwt.PyJWK | None:
        """The key if cached and fresh, without awaiting (the hot path)."""
        if time.monotonic() - self._loaded_at > self._max_age_s:
            return None
        return self._keys.get(kid)

    async def get(self, kid: str) -> jwt.PyJWK | None:
        key = self.cached(kid)
        if key is not None:
            return key
        async with self._lock:
            key = self.cached(kid)
            if key is not None:
                return key
            stale = time.monotonic() - self._loaded_at > self._max_age_s
            recently = time.monotonic() - self._loaded_at < self._min_refresh_s
            if stale or not recently:
                await self._refresh()
            return self._keys.get(kid)

    async def _refresh(self) -> None:
        try:
            jwks = await self._fetch()
        except Exception as exc:  # the auth service may be restarting: keep the old keys
            log.warning("jwks fetch failed", extra={"error": repr(exc)})
            return
        keys: dict[str, jwt.PyJWK] = {}
        for jwk in jwks:
            try:
                keys[jwk["kid"]] = jwt.PyJWK(jwk)
            except (jwt.PyJWKError, KeyError) as exc:
                log.warning("ignoring unusable jwk", extra={"kid": jwk.get("kid"), "error": str(exc)})
        self._keys = keys
        self._loaded_at = time.monotonic()
