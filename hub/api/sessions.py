"""Dashboard sign-in: one-time login links, passwords with TOTP, and sessions (stored hashed)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from urllib.parse import quote

from hub.domain import totp
from hub.domain.logins import LoginThrottle
from hub.domain.users import PASSWORD_MAX, Role, password_problem
from hub.lib.clock import Clock
from hub.lib.passwords import Passwords
from hub.lib.secrets import new_token, same_token, token_hash
from hub.store import Store, StoreBusyError, StoreWriteError
from hub.store.engine import Tx
from hub.store.users import SessionOwner, UserExistsError

LINK_LIFETIME = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(days=30)
ADMIN = "admin"
"""Who sessions opened with the admin token or a login link act as."""


class LoginRefusedError(Exception):
    """Sign-in refused; ``str()`` is safe to show (it never says which part was wrong)."""

    def __init__(
        self, reason: str, *, retry_after: int | None = None, totp_required: bool = False
    ) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.totp_required = totp_required


def csrf_token(session_token: str) -> str:
    """The CSRF token that goes with a session: derived from its secret, so it needs no
    storage and cannot be guessed by a page that cannot read the session's cookies."""
    return token_hash("csrf:" + session_token)


class Sessions:
    """Creates and checks login links, passwords and sessions; throttles failed sign-ins."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        external_url: str,
        passwords: Passwords | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._external_url = external_url
        self.passwords = passwords or Passwords()
        self.throttle = LoginThrottle()
        self._throttle_loaded = False

    async def create_login_link(self) -> str:
        """A URL that signs the admin in once (or, before any user exists, lets the first
        admin set a password), within ``LINK_LIFETIME``."""
        token = new_token()
        async with self._store.tx() as tx:
            await tx.auth.add_login_link(token_hash(token), self._clock.now() + LINK_LIFETIME)
        return f"{self._external_url}/login?token={quote(token)}"

    async def needs_setup(self) -> bool:
        """Whether no user exists yet (the login link then leads to setting a password)."""
        async with self._store.tx() as tx:
            return await tx.users.count() == 0

    async def link_valid(self, token: str) -> bool:
        """Whether a login link can still be used (without spending it)."""
        async with self._store.tx() as tx:
            return await tx.users.login_link_valid(token_hash(token), self._clock.now())

    async def redeem_link(self, token: str) -> str | None:
        """A new admin session token for an unused, unexpired link; None otherwise."""
        async with self._store.tx() as tx:
            if not await tx.auth.use_login_link(token_hash(token), self._clock.now()):
                return None
            return await self._start(tx, ADMIN, None)

    async def set_up(self, link: str, name: str, password: str, address: str) -> str:
        """Create the first admin with the one-time link printed at start; a session for them.

        Raises:
            LoginRefusedError: the link is invalid or spent, users exist already, or the
                address is throttled.
            ValueError: the password is unacceptable.
        """
        async with self._throttled(None, address):
            problem = password_problem(password)
            if problem:
                raise ValueError(problem)
            hashed = await self.passwords.hash(password)
            now = self._clock.now()
            async with self._store.tx() as tx:
                if await tx.users.count() or not await tx.auth.use_login_link(
                    token_hash(link), now
                ):
                    self.throttle.failed(None, address, now)
                    raise LoginRefusedError("this setup link is invalid, expired or already used")
                try:
                    await tx.users.add(name, Role.ADMIN, hashed, now)
                except UserExistsError:  # pragma: no cover - count() was 0 in this transaction
                    raise LoginRefusedError("users exist already") from None
                return await self._start(tx, name, name)

    async def login_with_token(self, given: str, admin_token: str, address: str) -> str:
        """A new admin session when ``given`` is the admin token.

        Raises:
            LoginRefusedError: wrong token or throttled address.
        """
        async with self._throttled(None, address):
            if not same_token(given.strip(), admin_token):
                self.throttle.failed(None, address, self._clock.now())
                raise LoginRefusedError("invalid token")
            async with self._store.tx() as tx:
                return await self._start(tx, ADMIN, None)

    async def login(self, name: str, password: str, code: str | None, address: str) -> str:
        """A new session for user ``name`` after checking password and, when enabled, TOTP.

        Raises:
            LoginRefusedError: wrong name, password or code (``totp_required`` when the code
                is missing), or a locked account or address (``retry_after`` seconds).
        """
        async with self._throttled(name, address):
            if len(password) > PASSWORD_MAX:  # never hash megabytes on behalf of a stranger
                self.throttle.failed(name, address, self._clock.now())
                raise LoginRefusedError("wrong user name or password")
            async with self._store.tx() as tx:
                user = await tx.users.credentials(name)
            ok = await self.passwords.verify(user.password_hash if user else None, password)
            now = self._clock.now()
            if user is None or not ok:
                self.throttle.failed(name, address, now)
                raise LoginRefusedError("wrong user name or password")
            async with self._store.tx() as tx:
                if user.totp_secret is not None:
                    if not code:
                        raise LoginRefusedError("enter the code from your app", totp_required=True)
                    step = totp.matching_step(
                        user.totp_secret, code, now.timestamp(), user.totp_last_step
                    )
                    if step is None or not await tx.users.use_totp_step(name, step):
                        self.throttle.failed(name, address, now)
                        raise LoginRefusedError("wrong or already used code", totp_required=True)
                self.throttle.succeeded(name)
                return await self._start(tx, name, name)

    async def owner(self, session_token: str) -> SessionOwner | None:
        """Who a live session acts as, or None when it expired, ended or was revoked."""
        async with self._store.tx() as tx:
            return await tx.users.session_owner(token_hash(session_token), self._clock.now())

    async def end(self, session_token: str) -> None:
        """Log out."""
        async with self._store.tx() as tx:
            await tx.auth.delete_session(token_hash(session_token))

    @asynccontextmanager
    async def _throttled(self, name: str | None, address: str) -> AsyncIterator[None]:
        """Refuse a throttled sign-in; then store what the attempt changed in the throttle
        (failures, a lockout), so a restart keeps it."""
        await self._check_throttle(name, address)
        try:
            yield
        finally:
            await self._save_throttle()

    async def _save_throttle(self) -> None:
        changed, self.throttle.changed = self.throttle.changed, {}
        if not changed:
            return
        with contextlib.suppress(StoreWriteError, StoreBusyError):  # a full disk: memory only
            async with self._store.tx() as tx:
                await tx.users.save_throttle(changed)

    async def _check_throttle(self, name: str | None, address: str) -> None:
        if not self._throttle_loaded:
            async with self._store.tx() as tx:
                self.throttle.load(await tx.users.throttle_entries())
            self._throttle_loaded = True
        wait = self.throttle.retry_after(name, address, self._clock.now())
        if wait is not None:
            raise LoginRefusedError(
                f"too many failed sign-ins; try again in {wait} s", retry_after=wait
            )

    async def _start(self, tx: Tx, principal: str, user: str | None) -> str:
        token = new_token()
        now = self._clock.now()
        hashed = token_hash(token)
        await tx.users.prune_sessions(now)  # sign-ins are rare: the table stays small
        await tx.auth.add_session(hashed, principal, now, now + SESSION_LIFETIME)
        if user is not None:
            await tx.users.link_session(hashed, user)
        return token
