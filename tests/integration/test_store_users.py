"""The users repository and user sessions on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest

from hub.domain.logins import ThrottleEntry
from hub.domain.users import Role
from hub.store import open_store, upgrade
from hub.store.users import SessionOwner, UserExistsError


@pytest.fixture
async def store(store_url):
    upgrade(store_url)
    opened = open_store(store_url)
    yield opened
    await opened.close()


async def test_users_are_added_listed_and_their_credentials_read(store, clock):
    now = clock.now()
    async with store.tx() as tx:
        assert await tx.users.count() == 0
        await tx.users.add("root", Role.ADMIN, "hash-r", now)
        await tx.users.add("ann", Role.VIEWER, "hash-a", now)
    with pytest.raises(UserExistsError):
        async with store.tx() as tx:
            await tx.users.add("ann", Role.ADMIN, "x", now)
    async with store.tx() as tx:
        assert [(u.name, u.role) for u in await tx.users.all()] == [
            ("ann", Role.VIEWER),
            ("root", Role.ADMIN),
        ]
        assert await tx.users.count_admins() == 1
        await tx.users.set_totp("ann", secret="S", pending=None, last_step=10)
        assert await tx.users.set_password("ann", "hash-2")
        assert not await tx.users.set_password("nobody", "x")
    async with store.tx() as tx:
        ann = await tx.users.credentials("ann")
        assert (ann.password_hash, ann.totp_secret, ann.totp_last_step) == ("hash-2", "S", 10)
        assert await tx.users.credentials("nobody") is None
        assert [u.totp_enabled for u in await tx.users.all()] == [True, False]


async def test_a_totp_step_is_spent_once_and_never_an_older_one(store, clock):
    async with store.tx() as tx:
        await tx.users.add("ann", Role.VIEWER, "h", clock.now())
        assert await tx.users.use_totp_step("ann", 100)
        assert not await tx.users.use_totp_step("ann", 100)
        assert not await tx.users.use_totp_step("ann", 99)
        assert await tx.users.use_totp_step("ann", 101)


async def test_sessions_act_as_their_user_and_end_with_them(store, clock):
    now = clock.now()
    later = now + timedelta(days=1)
    async with store.tx() as tx:
        await tx.users.add("ann", Role.VIEWER, "h", now)
        await tx.auth.add_session("s-ann-1", "ann", now, later)
        await tx.users.link_session("s-ann-1", "ann")
        await tx.auth.add_session("s-ann-2", "ann", now, later)
        await tx.users.link_session("s-ann-2", "ann")
        await tx.auth.add_session("s-link", "admin", now, later)
    async with store.tx() as tx:
        assert await tx.users.session_owner("s-ann-1", now) == SessionOwner(
            "ann", Role.VIEWER, "ann"
        )
        assert await tx.users.session_owner("s-link", now) == SessionOwner(
            "admin", Role.ADMIN, None
        )
        assert await tx.users.session_owner("s-ann-1", later) is None  # expired
        assert await tx.users.session_owner("nope", now) is None
        assert [s.id for s in await tx.users.sessions("ann", now)] == ["s-ann-1", "s-ann-2"]
        assert len(await tx.users.sessions(None, now)) == 3
        assert await tx.users.end_sessions("ann", keep="s-ann-2") == 1
        assert await tx.users.end_sessions("nobody") == 0
    async with store.tx() as tx:
        assert [s.id for s in await tx.users.sessions("ann", now)] == ["s-ann-2"]
        assert await tx.users.delete("ann")
        assert not await tx.users.delete("ann")
    async with store.tx() as tx:
        assert await tx.users.session_owner("s-ann-2", now) is None  # never turns admin
        assert await tx.users.end_session("s-link")
        assert not await tx.users.end_session("s-link")


async def test_login_links_are_checked_without_being_spent(store, clock):
    now = clock.now()
    async with store.tx() as tx:
        await tx.auth.add_login_link("l1", now + timedelta(minutes=15))
    async with store.tx() as tx:
        assert await tx.users.login_link_valid("l1", now)
        assert await tx.users.login_link_valid("l1", now)
        assert not await tx.users.login_link_valid("l1", now + timedelta(minutes=16))
        assert await tx.auth.use_login_link("l1", now)
        assert not await tx.users.login_link_valid("l1", now)


async def test_expired_sessions_are_pruned_with_their_user_links(store, clock):
    now = clock.now()
    async with store.tx() as tx:
        await tx.users.add("ann", Role.VIEWER, "h", now)
        await tx.auth.add_session("old", "ann", now - timedelta(days=31), now - timedelta(days=1))
        await tx.users.link_session("old", "ann")
        await tx.auth.add_session("live", "ann", now, now + timedelta(days=1))
        await tx.users.link_session("live", "ann")
    async with store.tx() as tx:
        assert await tx.users.prune_sessions(now) == 1
        assert await tx.users.prune_sessions(now) == 0
        assert await tx.users.delete("ann")  # no link row of "old" left behind to block it


async def test_throttle_entries_are_stored_replaced_and_forgotten(store, clock):
    now = clock.now()
    locked = ThrottleEntry(0, None, now + timedelta(minutes=15))
    window = ThrottleEntry(3, now, None)
    async with store.tx() as tx:
        await tx.users.save_throttle({("account", "ops"): locked, ("address", "10.0.0.1"): window})
    async with store.tx() as tx:
        await tx.users.save_throttle(
            {("address", "10.0.0.1"): ThrottleEntry(4, now, None), ("account", "gone"): None}
        )
        await tx.users.save_throttle({("account", "ops"): None})
    async with store.tx() as tx:
        assert await tx.users.throttle_entries() == {
            ("address", "10.0.0.1"): ThrottleEntry(4, now, None)
        }
