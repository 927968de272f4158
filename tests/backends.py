"""Database backends for the store tests: a SQLite file, and a fresh PostgreSQL database."""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

PG_ADMIN_URL = os.environ.get(
    "TCF_HUB_TEST_POSTGRES", "postgresql://tcf:tcf@127.0.0.1:5432/postgres"
)
"""A role that may create databases (tests/postgres-up.sh makes it; `make test` runs that)."""


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    name = f"tcf_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            raise  # CI starts PostgreSQL: its absence there is a failure, not a skip
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL} ({exc}); run tests/postgres-up.sh")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        finally:
            _drop(admin, name)


def _drop(admin: Any, name: str) -> None:
    """Drop database ``name``, ending its sessions; an autovacuum worker on it (which a role
    without pg_signal_backend may not end) is waited out for up to 10 s."""
    psycopg = pytest.importorskip("psycopg")
    for attempt in range(50):
        try:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            return
        except psycopg.errors.InsufficientPrivilege:
            if attempt == 49:
                raise
            time.sleep(0.2)


@contextlib.contextmanager
def backend_url(kind: str, tmp_path: Path) -> Iterator[str]:
    """A store URL of ``kind`` (``sqlite`` or ``postgresql``)."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    else:
        with postgres_database() as url:
            yield url
