"""Dashboard sign-in: one-time login links and session tokens (stored only as hashes)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from hub.lib.clock import Clock
from hub.lib.secrets import new_token, same_token, token_hash
from hub.store import Store
from hub.store.repos import AuthRepo

LINK_LIFETIME = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(days=30)
ADMIN = "admin"


class Sessions:
    """Creates and checks login links and sessions."""

    def __init__(self, store: Store, clock: Clock, external_url: str) -> None:
        self._store = store
        self._clock = clock
        self._external_url = external_url

    async def create_login_link(self) -> str:
        """A URL that signs the admin in once, within ``LINK_LIFETIME``."""
        token = new_token()
        async with self._store.tx() as tx:
            await tx.auth.add_login_link(token_hash(token), self._clock.now() + LINK_LIFETIME)
        return f"{self._external_url}/login?token={quote(token)}"

    async def redeem_link(self, token: str) -> str | None:
        """A new session token for an unused, unexpired link; None otherwise."""
        async with self._store.tx() as tx:
            if not await tx.auth.use_login_link(token_hash(token), self._clock.now()):
                return None
            return await self._start(tx.auth, ADMIN)

    async def login_with_token(self, given: str, admin_token: str) -> str | None:
        """A new session token when ``given`` is the admin token; None otherwise."""
        if not same_token(given.strip(), admin_token):
            return None
        async with self._store.tx() as tx:
            return await self._start(tx.auth, ADMIN)

    async def principal(self, session_token: str) -> str | None:
        """Who the session belongs to, if it is live."""
        async with self._store.tx() as tx:
            return await tx.auth.session_principal(token_hash(session_token), self._clock.now())

    async def end(self, session_token: str) -> None:
        """Log out."""
        async with self._store.tx() as tx:
            await tx.auth.delete_session(token_hash(session_token))

    async def _start(self, auth: AuthRepo, principal: str) -> str:
        token = new_token()
        now = self._clock.now()
        await auth.add_session(token_hash(token), principal, now, now + SESSION_LIFETIME)
        return token
