"""Password hashing with argon2id (RFC 9106), parameters from configuration.

Defaults follow OWASP's minimum for argon2id (m = 19 MiB, t = 2, p = 1); docs/BENCHMARKS.md
records what one hash costs on our machines.
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


@dataclass(frozen=True)
class Argon2Params:
    time_cost: int = 2
    memory_kib: int = 19_456
    parallelism: int = 1


class Passwords:
    def __init__(self, params: Argon2Params = Argon2Params()) -> None:
        self._hasher = PasswordHasher(
            time_cost=params.time_cost,
            memory_cost=params.memory_kib,
            parallelism=params.parallelism,
            type=Type.ID,
        )
        # Verified against when the account does not exist, so both answers cost the same time.
        self._dummy = self._hasher.hash("imagemesh-dummy-password")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._dummy, password) and password_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)
