"""Named API tokens with a scope: ``admin``, ``read``, ``ingest`` (agents), ``heartbeat`` (cron)."""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec
from litestar import Controller, Response, delete, get, post
from litestar.exceptions import ClientException, HTTPException, NotFoundException
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT, HTTP_409_CONFLICT

from hub.api.access import ADMIN_ONLY
from hub.api.known_tokens import KnownTokens
from hub.api.state import HubDep
from hub.domain.tokens import TOKEN_NAME, ApiToken, TokenScope
from hub.lib.clock import Clock
from hub.lib.secrets import new_token, token_hash
from hub.store import Store
from hub.store.tokens import TokenExistsError

TOKEN_PREFIX = "tcf_"  # noqa: S105 (a prefix, not a secret)
"""Secrets start with this, so secret scanners and people can tell what they are."""
TOUCH_EVERY = timedelta(minutes=1)
"""``last_used_at`` is written at most this often per token (not on every agent batch), and a
known token is looked up in the store as often (see ``ApiTokens.check``)."""

TokenRead = ApiToken
"""A token on the wire: name, scope, created_at and last_used_at; never the secret."""


class TokenCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Body of ``POST /api/v1/tokens``."""

    name: str
    scope: TokenScope


class TokenCreated(msgspec.Struct, frozen=True):
    """A new token with its secret; the only time the secret is shown."""

    name: str
    scope: TokenScope
    created_at: datetime
    token: str


class ApiTokens:
    """Creates, checks, lists and revokes named API tokens (stored as sha256 hashes).

    ``known`` (the hub's, shared by every request) holds the tokens checked within
    ``TOUCH_EVERY`` by hash: an agent's batches then cost no store transaction of their own
    (500 agents' lookups were a tenth of the hub's event loop under load). ``revoke`` drops
    a token from it, so a revoked token is refused from the next request on.
    """

    def __init__(self, store: Store, clock: Clock, known: KnownTokens | None = None) -> None:
        self._store = store
        self._clock = clock
        self._known = KnownTokens() if known is None else known

    async def create(self, name: str, scope: TokenScope) -> TokenCreated:
        """A new token; raises TokenExistsError when the name is taken."""
        secret = TOKEN_PREFIX + new_token()
        async with self._store.tx() as tx:
            token = await tx.tokens.add(name, scope, token_hash(secret), self._clock.now())
        return TokenCreated(token.name, token.scope, token.created_at, secret)

    async def check(self, secret: str) -> ApiToken | None:
        """The token ``secret`` belongs to (recording its use), or None if unknown/revoked."""
        if not secret.startswith(TOKEN_PREFIX):
            return None
        now = self._clock.now()
        hashed = token_hash(secret)
        known = self._known.by_hash.get(hashed)
        if (
            known is not None
            and known.last_used_at is not None
            and timedelta(0) <= now - known.last_used_at < TOUCH_EVERY
        ):
            return known
        revocations = self._known.revocations
        async with self._store.tx() as tx:
            token = await tx.tokens.by_hash(hashed)
            if token is not None and (
                token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY
            ):
                await tx.tokens.touch(token.name, now)
                token = msgspec.structs.replace(token, last_used_at=now)
        if token is None or revocations != self._known.revocations:
            self._known.by_hash.pop(hashed, None)
        else:
            self._known.by_hash[hashed] = token
        return token

    async def all(self) -> list[ApiToken]:
        """Every token, by name."""
        async with self._store.tx() as tx:
            return await tx.tokens.all()

    async def revoke(self, name: str) -> bool:
        """Delete a token; it is refused from the next request on."""
        async with self._store.tx() as tx:
            deleted = await tx.tokens.delete(name)
        # After the delete: a check that read the token before it forgets it (revocations).
        self._known.revocations += 1
        for hashed in [h for h, token in self._known.by_hash.items() if token.name == name]:
            del self._known.by_hash[hashed]
        return deleted


class TokenController(Controller):
    """``/api/v1/tokens``: admin only (admin sessions, the admin token, admin-scoped tokens)."""

    path = "/api/v1/tokens"
    tags = ["tokens"]  # noqa: RUF012 (Litestar reads it as a class attribute)
    opt = ADMIN_ONLY

    @get("/")
    async def list_tokens(self, hub: HubDep) -> list[TokenRead]:
        """Every API token with its scope and last use; secrets are never shown again."""
        return await ApiTokens(hub.store, hub.clock, hub.known_tokens).all()

    @post("/", status_code=HTTP_201_CREATED)
    async def create_token(self, hub: HubDep, data: JSONBody[TokenCreate]) -> TokenCreated:
        """Create a token; the answer holds its secret, which is not stored and not shown
        again. 409 when the name is taken."""
        if not TOKEN_NAME.match(data.name):
            raise ClientException("token names use letters, digits, _ . @ - (up to 100)")
        try:
            return await ApiTokens(hub.store, hub.clock, hub.known_tokens).create(
                data.name, data.scope
            )
        except TokenExistsError as exc:
            raise HTTPException(status_code=HTTP_409_CONFLICT, detail=str(exc)) from None

    @delete("/{name:str}", status_code=HTTP_204_NO_CONTENT)
    async def revoke_token(self, hub: HubDep, name: FromPath[str]) -> Response[None]:
        """Revoke a token: requests with it are refused (401) from now on."""
        if not await ApiTokens(hub.store, hub.clock, hub.known_tokens).revoke(name):
            raise NotFoundException(f"no token named {name!r}")
        return Response(None, status_code=HTTP_204_NO_CONTENT)
