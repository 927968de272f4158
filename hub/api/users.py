"""Dashboard users (admin only), a user's own account (``/api/v1/me``) and first-start setup."""

from __future__ import annotations

import secrets
from typing import Any

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.exceptions import ClientException, HTTPException, NotFoundException
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT, HTTP_409_CONFLICT

from hub.api.access import ADMIN_ONLY, PUBLIC, SELF_SERVICE
from hub.api.auth import (
    SESSION_COOKIE,
    Principal,
    client_address,
    refused,
    session_cookies,
)
from hub.api.sessions import LoginRefusedError
from hub.api.state import HubDep, HubState
from hub.domain import totp
from hub.domain.users import PASSWORD_MAX, USER_NAME, Role, User, password_problem
from hub.lib.secrets import token_hash
from hub.store.users import SessionInfo, UserExistsError

UserRead = User
"""A user on the wire: name, role, created_at, whether TOTP is on; never hashes or secrets."""


class UserCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Body of ``POST /api/v1/users``; without a password one is generated and shown once."""

    name: str
    role: Role = Role.VIEWER
    password: str | None = None


class PasswordSet(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Body of ``POST /api/v1/users/{name}/password``; without one a password is generated."""

    password: str | None = None


class UserCreated(msgspec.Struct, frozen=True):
    """A created user, with the generated password when the hub chose it (shown only now)."""

    user: UserRead
    password: str | None = None


class PasswordReset(msgspec.Struct, frozen=True):
    """A reset: the generated password (if any) and how many sessions were ended."""

    sessions_ended: int
    password: str | None = None


class SessionsEnded(msgspec.Struct, frozen=True):
    """How many sessions were ended."""

    sessions_ended: int


class Me(msgspec.Struct, frozen=True):
    """Who is signed in."""

    name: str
    role: Role
    kind: str
    user: str | None
    totp_enabled: bool


class PasswordChange(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Body of ``POST /api/v1/me/password``."""

    current: str
    new: str


class TotpEnrolment(msgspec.Struct, frozen=True):
    """A new TOTP secret awaiting its first code (``PUT /api/v1/me/totp``)."""

    secret: str
    uri: str


class TotpConfirm(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Body of ``PUT /api/v1/me/totp``: a code from the app, proving it holds the secret."""

    code: str


class SetupCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Body of ``POST /api/v1/setup``: the login link's token, the first admin's name and
    password."""

    token: str
    name: str
    password: str


def _generated() -> str:
    return secrets.token_urlsafe(15)


async def _password_hash(hub: HubState, password: str | None) -> tuple[str, str | None]:
    """The hash to store and, when the hub chose the password, the password to show."""
    chosen = password is None
    password = _generated() if password is None else password
    problem = password_problem(password)
    if problem:
        raise ClientException(problem)
    return await hub.sessions.passwords.hash(password), password if chosen else None


class UserController(Controller):
    """``/api/v1/users``: admins manage users, reset passwords and end sessions."""

    path = "/api/v1/users"
    tags = ["users"]  # noqa: RUF012 (Litestar reads it as a class attribute)
    opt = ADMIN_ONLY

    @get("/")
    async def list_users(self, hub: HubDep) -> list[UserRead]:
        """Every user with role and whether TOTP is on."""
        async with hub.store.tx() as tx:
            return await tx.users.all()

    @post("/", status_code=HTTP_201_CREATED)
    async def create_user(self, hub: HubDep, data: JSONBody[UserCreate]) -> UserCreated:
        """Create a user (default role viewer). 409 when the name is taken."""
        if not USER_NAME.match(data.name):
            raise ClientException("user names use letters, digits, _ . @ - (up to 100)")
        hashed, shown = await _password_hash(hub, data.password)
        try:
            async with hub.store.tx() as tx:
                user = await tx.users.add(data.name, data.role, hashed, hub.clock.now())
        except UserExistsError as exc:
            raise HTTPException(status_code=HTTP_409_CONFLICT, detail=str(exc)) from None
        return UserCreated(user, shown)

    @delete("/{name:str}", status_code=HTTP_204_NO_CONTENT)
    async def remove_user(self, hub: HubDep, name: FromPath[str]) -> Response[None]:
        """Remove a user and end their sessions. 409 for the last admin."""
        async with hub.store.tx() as tx:
            user = await tx.users.credentials(name)
            if user is None:
                raise NotFoundException(f"no user named {name!r}")
            if user.role is Role.ADMIN and await tx.users.count_admins() == 1:
                raise HTTPException(
                    status_code=HTTP_409_CONFLICT, detail=f"{name!r} is the last admin"
                )
            await tx.users.delete(name)
        return Response(None, status_code=HTTP_204_NO_CONTENT)

    @post("/{name:str}/password", status_code=200)
    async def reset_password(
        self, hub: HubDep, name: FromPath[str], data: JSONBody[PasswordSet]
    ) -> PasswordReset:
        """Set a new password (generated when none is given) and end the user's sessions."""
        hashed, shown = await _password_hash(hub, data.password)
        async with hub.store.tx() as tx:
            if not await tx.users.set_password(name, hashed):
                raise NotFoundException(f"no user named {name!r}")
            ended = await tx.users.end_sessions(name)
        return PasswordReset(ended, shown)

    @delete("/{name:str}/totp", status_code=HTTP_204_NO_CONTENT)
    async def reset_totp(self, hub: HubDep, name: FromPath[str]) -> Response[None]:
        """Turn a user's TOTP off (a lost phone); they can enrol again after signing in."""
        async with hub.store.tx() as tx:
            if await tx.users.credentials(name) is None:
                raise NotFoundException(f"no user named {name!r}")
            await tx.users.set_totp(name, secret=None, pending=None, last_step=None)
        return Response(None, status_code=HTTP_204_NO_CONTENT)

    @get("/{name:str}/sessions")
    async def list_user_sessions(self, hub: HubDep, name: FromPath[str]) -> list[SessionInfo]:
        """The user's live sessions."""
        async with hub.store.tx() as tx:
            return await tx.users.sessions(name, hub.clock.now())

    @delete("/{name:str}/sessions", status_code=200)
    async def end_user_sessions(self, hub: HubDep, name: FromPath[str]) -> SessionsEnded:
        """End every session of the user (they must sign in again)."""
        async with hub.store.tx() as tx:
            return SessionsEnded(await tx.users.end_sessions(name))


class SessionController(Controller):
    """``/api/v1/sessions``: every live dashboard session, revocable one by one (admin only)."""

    path = "/api/v1/sessions"
    tags = ["users"]  # noqa: RUF012
    opt = ADMIN_ONLY

    @get("/")
    async def list_sessions(self, hub: HubDep) -> list[SessionInfo]:
        """Every live session; ``id`` is the hash of its secret."""
        async with hub.store.tx() as tx:
            return await tx.users.sessions(None, hub.clock.now())

    @delete("/{session_id:str}", status_code=HTTP_204_NO_CONTENT)
    async def end_session(self, hub: HubDep, session_id: FromPath[str]) -> Response[None]:
        """End one session: its next request gets 401."""
        async with hub.store.tx() as tx:
            if not await tx.users.end_session(session_id):
                raise NotFoundException("no such session")
        return Response(None, status_code=HTTP_204_NO_CONTENT)


def _own_user(request: Request[Any, Any, Any]) -> str:
    principal: Principal = request.auth
    if principal.user is None:
        raise HTTPException(
            status_code=HTTP_409_CONFLICT,
            detail="signed in with a token, not as a user: there is no account to change",
        )
    return principal.user


class MeController(Controller):
    """``/api/v1/me``: who is signed in; their own password and TOTP (any role)."""

    path = "/api/v1/me"
    tags = ["auth"]  # noqa: RUF012

    @get("/")
    async def show_me(self, hub: HubDep, request: Request[Any, Any, Any]) -> Me:
        """The principal behind this request."""
        principal: Principal = request.auth
        enabled = False
        if principal.user is not None:
            async with hub.store.tx() as tx:
                user = await tx.users.credentials(principal.user)
            enabled = user is not None and user.totp_secret is not None
        return Me(principal.name, principal.role, principal.kind, principal.user, enabled)

    @post("/password", status_code=HTTP_204_NO_CONTENT, opt=SELF_SERVICE)
    async def change_password(
        self, hub: HubDep, request: Request[Any, Any, Any], data: JSONBody[PasswordChange]
    ) -> Response[None]:
        """Change your password (the current one is checked); your other sessions end."""
        name = _own_user(request)
        async with hub.store.tx() as tx:
            user = await tx.users.credentials(name)
        stored = user.password_hash if user else None
        if len(data.current) > PASSWORD_MAX or not await hub.sessions.passwords.verify(
            stored, data.current
        ):
            raise ClientException("the current password is wrong", status_code=403)
        hashed, _ = await _password_hash(hub, data.new)
        session = request.cookies.get(SESSION_COOKIE)
        async with hub.store.tx() as tx:
            await tx.users.set_password(name, hashed)
            await tx.users.end_sessions(name, keep=token_hash(session) if session else None)
        return Response(None, status_code=HTTP_204_NO_CONTENT)

    @post("/totp", status_code=HTTP_201_CREATED, opt=SELF_SERVICE)
    async def start_totp(self, hub: HubDep, request: Request[Any, Any, Any]) -> TotpEnrolment:
        """Start TOTP enrolment: a new secret for your app; it is on once a code is confirmed."""
        name = _own_user(request)
        secret = totp.new_secret()
        async with hub.store.tx() as tx:
            user = await tx.users.credentials(name)
            current = user.totp_secret if user else None
            await tx.users.set_totp(
                name,
                secret=current,
                pending=secret,
                last_step=user.totp_last_step if user else None,
            )
        return TotpEnrolment(secret, totp.provisioning_uri(secret, name))

    @put("/totp", status_code=HTTP_204_NO_CONTENT, opt=SELF_SERVICE)
    async def confirm_totp(
        self, hub: HubDep, request: Request[Any, Any, Any], data: JSONBody[TotpConfirm]
    ) -> Response[None]:
        """Turn TOTP on with a code from the app; sign-ins then need a code."""
        name = _own_user(request)
        async with hub.store.tx() as tx:
            user = await tx.users.credentials(name)
            if user is None or user.totp_pending is None:
                raise ClientException("start with POST /api/v1/me/totp")
            step = totp.matching_step(user.totp_pending, data.code, hub.clock.now().timestamp())
            if step is None:
                raise ClientException("wrong code: check the phone's clock and try again")
            await tx.users.set_totp(name, secret=user.totp_pending, pending=None, last_step=step)
        return Response(None, status_code=HTTP_204_NO_CONTENT)

    @delete("/totp", status_code=HTTP_204_NO_CONTENT, opt=SELF_SERVICE)
    async def remove_totp(self, hub: HubDep, request: Request[Any, Any, Any]) -> Response[None]:
        """Turn your TOTP off."""
        name = _own_user(request)
        async with hub.store.tx() as tx:
            await tx.users.set_totp(name, secret=None, pending=None, last_step=None)
        return Response(None, status_code=HTTP_204_NO_CONTENT)


@post("/api/v1/setup", status_code=HTTP_204_NO_CONTENT, tags=["auth"], opt=PUBLIC)
async def set_up_admin(
    request: Request[Any, Any, Any], data: JSONBody[SetupCreate]
) -> Response[None]:
    """First start: create the admin user with the one-time login link's token; signs them in.
    401 when the link is invalid or spent or users exist already."""
    hub: HubState = request.app.state.hub
    if not USER_NAME.match(data.name):
        raise ClientException("user names use letters, digits, _ . @ - (up to 100)")
    try:
        session = await hub.sessions.set_up(
            data.token, data.name, data.password, client_address(request)
        )
    except LoginRefusedError as exc:
        raise refused(exc) from None
    except ValueError as exc:
        raise ClientException(str(exc)) from None
    return Response(
        None, status_code=HTTP_204_NO_CONTENT, cookies=session_cookies(request, session)
    )
