"""Dashboard users and their roles: what each role may do (pure, no I/O)."""

from __future__ import annotations

import enum
import re
from datetime import datetime

import msgspec


class Role(enum.StrEnum):
    """What a signed-in user may do."""

    ADMIN = "admin"
    """Everything."""
    VIEWER = "viewer"
    """Read-only: every write route answers 403 (their own password and TOTP excepted)."""


USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$")
"""User names: letters, digits and ``_ . @ -``, up to 100 characters."""
PASSWORD_MIN = 10
PASSWORD_MAX = 1000
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that only read; everything else is a write."""


class User(msgspec.Struct, frozen=True):
    """A dashboard user as shown on the wire (never the password hash or TOTP secret)."""

    name: str
    role: Role
    created_at: datetime
    totp_enabled: bool = False
    password_set: bool = True


def password_problem(password: str) -> str | None:
    """Why ``password`` is refused, or None when it is acceptable."""
    if len(password) < PASSWORD_MIN:
        return f"passwords need at least {PASSWORD_MIN} characters"
    if len(password) > PASSWORD_MAX:
        return f"passwords are at most {PASSWORD_MAX} characters"
    return None


def is_write(method: str) -> bool:
    """Whether ``method`` changes something."""
    return method.upper() not in SAFE_METHODS
