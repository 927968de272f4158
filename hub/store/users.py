"""Dashboard users and the sessions that belong to them."""

from __future__ import annotations

from datetime import datetime

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.domain.logins import ThrottleEntry, ThrottleKey
from hub.domain.users import Role, User
from hub.store import tables as t
from hub.store.sql import insert_or_ignore, upsert


class UserExistsError(ValueError):
    """A user with that name exists already."""


class Credentials(msgspec.Struct, frozen=True):
    """What signing in checks: the password hash and TOTP state of one user."""

    name: str
    role: Role
    password_hash: str
    totp_secret: str | None
    totp_pending: str | None
    totp_last_step: int | None


class SessionInfo(msgspec.Struct, frozen=True):
    """A live session as listed to admins; ``id`` is the hash of its secret."""

    id: str
    principal: str
    created_at: datetime
    expires_at: datetime


class SessionOwner(msgspec.Struct, frozen=True):
    """Who a live session acts as."""

    principal: str
    role: Role
    user: str | None
    """The user behind the session; None for admin-token and login-link sessions."""


class UserRepo:
    """The ``users`` and ``session_users`` tables (and the sessions of users)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def throttle_entries(self) -> dict[ThrottleKey, ThrottleEntry]:
        """Every stored entry of the sign-in throttle, oldest first."""
        c = t.login_throttle.c
        rows = await self._conn.execute(
            sa.select(c.kind, c.key, c.failures, c.since, c.locked_until).order_by(
                sa.func.coalesce(c.since, c.locked_until)
            )
        )
        return {(kind, key): ThrottleEntry(*rest) for kind, key, *rest in rows}

    async def save_throttle(self, changed: dict[ThrottleKey, ThrottleEntry | None]) -> None:
        """Store changed throttle entries and forget the ones that are None."""
        c = t.login_throttle.c
        gone = [key for key, entry in changed.items() if entry is None]
        for kind, key in gone:
            await self._conn.execute(
                sa.delete(t.login_throttle).where(c.kind == kind, c.key == key)
            )
        rows = [
            {
                "kind": kind,
                "key": key,
                "failures": entry.failures,
                "since": entry.since,
                "locked_until": entry.locked_until,
            }
            for (kind, key), entry in changed.items()
            if entry is not None
        ]
        if rows:
            await self._conn.execute(upsert(self._conn, t.login_throttle, ["kind", "key"]), rows)

    async def add(self, name: str, role: Role, password_hash: str, now: datetime) -> User:
        """Store a new user.

        Raises:
            UserExistsError: the name is taken.
        """
        result = await self._conn.execute(
            insert_or_ignore(self._conn, t.users)
            .values(name=name, role=role.value, password_hash=password_hash, created_at=now)
            .returning(t.users.c.name)
        )
        if result.first() is None:
            raise UserExistsError(f"a user named {name!r} exists already")
        return User(name, role, now)

    async def count(self) -> int:
        """How many users there are (none before the first admin sets a password)."""
        result = await self._conn.execute(sa.select(sa.func.count()).select_from(t.users))
        return int(result.scalar_one())

    async def count_admins(self) -> int:
        """How many users have the admin role."""
        result = await self._conn.execute(
            sa.select(sa.func.count()).where(t.users.c.role == Role.ADMIN.value)
        )
        return int(result.scalar_one())

    async def all(self) -> list[User]:
        """Every user, by name."""
        c = t.users.c
        rows = await self._conn.execute(
            sa.select(c.name, c.role, c.created_at, c.totp_secret.is_not(None)).order_by(c.name)
        )
        return [User(name, Role(role), at, bool(totp)) for name, role, at, totp in rows]

    async def credentials(self, name: str) -> Credentials | None:
        """What signing in as ``name`` is checked against."""
        c = t.users.c
        rows = await self._conn.execute(
            sa.select(
                c.name, c.role, c.password_hash, c.totp_secret, c.totp_pending, c.totp_last_step
            ).where(c.name == name)
        )
        row = rows.first()
        if row is None:
            return None
        return Credentials(row[0], Role(row[1]), row[2], row[3], row[4], row[5])

    async def set_password(self, name: str, password_hash: str) -> bool:
        """Replace a user's password hash; False when there is no such user."""
        result = await self._conn.execute(
            sa.update(t.users).where(t.users.c.name == name).values(password_hash=password_hash)
        )
        return bool(result.rowcount == 1)

    async def set_totp(
        self, name: str, *, secret: str | None, pending: str | None, last_step: int | None
    ) -> None:
        """Set a user's TOTP state (enabled secret, secret awaiting its first code, last step)."""
        await self._conn.execute(
            sa.update(t.users)
            .where(t.users.c.name == name)
            .values(totp_secret=secret, totp_pending=pending, totp_last_step=last_step)
        )

    async def use_totp_step(self, name: str, step: int) -> bool:
        """Spend TOTP step ``step``; False when it (or a later one) was spent already."""
        c = t.users.c
        result = await self._conn.execute(
            sa.update(t.users)
            .where(c.name == name, sa.or_(c.totp_last_step.is_(None), c.totp_last_step < step))
            .values(totp_last_step=step)
        )
        return bool(result.rowcount == 1)

    async def delete(self, name: str) -> bool:
        """Remove a user and end their sessions; False when there was no such user."""
        await self.end_sessions(name)
        result = await self._conn.execute(sa.delete(t.users).where(t.users.c.name == name))
        return bool(result.rowcount == 1)

    async def link_session(self, token_hash: str, name: str) -> None:
        """Mark the session ``token_hash`` as belonging to user ``name``."""
        await self._conn.execute(
            sa.insert(t.session_users).values(token_hash=token_hash, user_name=name)
        )

    async def session_owner(self, token_hash: str, now: datetime) -> SessionOwner | None:
        """Who a live session acts as: its user's current role, or admin for sessions opened
        with the admin token or a login link."""
        s, su, u = t.sessions.c, t.session_users.c, t.users.c
        rows = await self._conn.execute(
            sa.select(s.principal, u.role, su.user_name)
            .select_from(
                t.sessions.outerjoin(t.session_users, su.token_hash == s.token_hash).outerjoin(
                    t.users, u.name == su.user_name
                )
            )
            .where(s.token_hash == token_hash, s.expires_at > now)
        )
        row = rows.first()
        if row is None:
            return None
        if row[2] is None:
            return SessionOwner(row[0], Role.ADMIN, None)
        return SessionOwner(row[0], Role(row[1]), row[2])

    async def sessions(self, name: str | None, now: datetime) -> list[SessionInfo]:
        """Live sessions, of user ``name`` or all, oldest first."""
        s, su = t.sessions.c, t.session_users.c
        query = sa.select(s.token_hash, s.principal, s.created_at, s.expires_at).where(
            s.expires_at > now
        )
        if name is not None:
            query = query.where(
                s.token_hash.in_(sa.select(su.token_hash).where(su.user_name == name))
            )
        rows = await self._conn.execute(query.order_by(s.created_at, s.token_hash))
        return [SessionInfo(*row) for row in rows]

    async def end_sessions(self, name: str, keep: str | None = None) -> int:
        """End every session of user ``name`` but ``keep`` (a token hash); how many ended."""
        su = t.session_users.c
        owned = sa.select(su.token_hash).where(su.user_name == name)
        if keep is not None:
            owned = owned.where(su.token_hash != keep)
        hashes = list((await self._conn.execute(owned)).scalars())
        if not hashes:
            return 0
        await self._conn.execute(sa.delete(t.session_users).where(su.token_hash.in_(hashes)))
        await self._conn.execute(sa.delete(t.sessions).where(t.sessions.c.token_hash.in_(hashes)))
        return len(hashes)

    async def end_session(self, token_hash: str) -> bool:
        """End one session by its id; False when there was none."""
        await self._conn.execute(
            sa.delete(t.session_users).where(t.session_users.c.token_hash == token_hash)
        )
        result = await self._conn.execute(
            sa.delete(t.sessions).where(t.sessions.c.token_hash == token_hash)
        )
        return bool(result.rowcount == 1)

    async def prune_sessions(self, now: datetime) -> int:
        """Delete expired sessions (their user links go with them); how many."""
        result = await self._conn.execute(
            sa.delete(t.sessions).where(t.sessions.c.expires_at <= now)
        )
        return int(result.rowcount)

    async def login_link_valid(self, token_hash: str, now: datetime) -> bool:
        """Whether a login link is unused and unexpired (without spending it)."""
        c = t.login_links.c
        rows = await self._conn.execute(
            sa.select(c.token_hash).where(
                c.token_hash == token_hash, c.used_at.is_(None), c.expires_at > now
            )
        )
        return rows.first() is not None
