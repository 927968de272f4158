"""Applying the Alembic migrations at start (and from ``tcf-hub db upgrade``)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config


def migrations_dir() -> Path:
    """The Alembic scripts: packaged inside the wheel/binary, or at the repository root."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "_migrations", package.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("Alembic migrations not found next to the hub package")


def sync_url(url: str) -> str:
    """The blocking-driver twin of an async URL, for Alembic (psycopg serves both modes)."""
    return normalize_url(url).replace("+aiosqlite", "")


def normalize_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` mean PostgreSQL through psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (blocking; run it off the event loop)."""
    engine = sa.create_engine(sync_url(url))
    try:
        with engine.begin() as conn:
            config = Config()
            config.set_main_option("script_location", str(migrations_dir()))
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    finally:
        engine.dispose()
