"""Named API tokens: stored as hashes, looked up by hash, listed and revoked by name."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.domain.tokens import ApiToken, TokenScope
from hub.store import tables as t
from hub.store.sql import insert_or_ignore


class TokenExistsError(ValueError):
    """A token with that name exists already."""


class TokenRepo:
    """The ``api_tokens`` table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, name: str, scope: TokenScope, token_hash: str, now: datetime) -> ApiToken:
        """Store a new token.

        Raises:
            TokenExistsError: the name is taken.
        """
        result = await self._conn.execute(
            insert_or_ignore(self._conn, t.api_tokens)
            .values(name=name, scope=scope.value, token_hash=token_hash, created_at=now)
            .returning(t.api_tokens.c.name)
        )
        if result.first() is None:
            raise TokenExistsError(f"a token named {name!r} exists already")
        return ApiToken(name, scope, now)

    async def by_hash(self, token_hash: str) -> ApiToken | None:
        """The token whose secret hashes to ``token_hash``."""
        rows = await self._conn.execute(
            sa.select(*_COLUMNS).where(t.api_tokens.c.token_hash == token_hash)
        )
        row = rows.first()
        return None if row is None else _token(*row)

    async def all(self) -> list[ApiToken]:
        """Every token, by name."""
        rows = await self._conn.execute(sa.select(*_COLUMNS).order_by(t.api_tokens.c.name))
        return [_token(*row) for row in rows]

    async def touch(self, name: str, now: datetime) -> None:
        """Record that the token was used at ``now``."""
        await self._conn.execute(
            sa.update(t.api_tokens).where(t.api_tokens.c.name == name).values(last_used_at=now)
        )

    async def delete(self, name: str) -> bool:
        """Revoke: the token stops working at once; False when there was no such token."""
        result = await self._conn.execute(
            sa.delete(t.api_tokens).where(t.api_tokens.c.name == name)
        )
        return bool(result.rowcount == 1)


_COLUMNS = (
    t.api_tokens.c.name,
    t.api_tokens.c.scope,
    t.api_tokens.c.created_at,
    t.api_tokens.c.last_used_at,
)


def _token(name: str, scope: str, created_at: datetime, last_used_at: datetime | None) -> ApiToken:
    return ApiToken(name, TokenScope(scope), created_at, last_used_at)
