"""Random tokens, their hashes, and secret files readable only by their owner."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path


def new_token() -> str:
    """A fresh URL-safe token with 256 bits of randomness."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored instead of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def same_token(given: str, expected: str) -> bool:
    """Constant-time comparison of two tokens."""
    return hmac.compare_digest(given.encode(), expected.encode())


def ensure_secret_file(path: Path) -> tuple[str, bool]:
    """The token stored at ``path``, creating it (mode 0600) if absent.

    Returns:
        The token and whether it was created now.
    """
    try:
        token = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        token = ""
    if token:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        return token, False
    token = new_token()
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    temp.replace(path)
    return token, True


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (mode 0700), or take group and other access away if it exists: it holds
    the admin token, the database with password hashes and session hashes."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
