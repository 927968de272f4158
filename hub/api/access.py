"""Handler ``opt`` values that say who may call a route (read by ``TokenAuth``)."""

from __future__ import annotations

PUBLIC = {"exclude_from_auth": True}
"""Routes open without auth: health, sign-in and the PWA's static files."""
ADMIN_ONLY = {"access": "admin"}
"""Routes only admins reach, even to read (tokens, users, sessions)."""
SELF_SERVICE = {"access": "self"}
"""Writes any signed-in user may make to their own account (password, TOTP)."""
