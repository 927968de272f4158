"""Password hashing with argon2id (argon2-cffi), off the event loop."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Passwords:
    """Hashes and checks passwords; each call runs in a thread (see below for the cost).

    Parameters are OWASP's argon2id minimum (m=19 MiB, t=2, p=1): about 40 ms per hash on a
    busy 2-core machine, where argon2-cffi's default (64 MiB, t=3, p=4) took 0.8 s — too slow
    and too much memory for a small hub. Hashes carry their parameters, so they can be raised
    later without invalidating stored ones.
    """

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
        self._dummy: str | None = None

    async def hash(self, password: str) -> str:
        """The argon2id hash of ``password`` (salted; encodes its own parameters)."""
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored: str | None, password: str) -> bool:
        """Whether ``password`` matches ``stored``. With no stored hash (unknown user) a dummy
        hash is checked anyway, so the answer takes as long as for a real user."""
        if stored is None:
            if self._dummy is None:
                self._dummy = await self.hash("not a password of anyone")
            stored = self._dummy
            password = password + "\x00"  # never matches
        return await asyncio.to_thread(self._check, stored, password)

    def _check(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
