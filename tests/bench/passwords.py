"""Sign-in cost: argon2id with the hub's parameters against the library default, and a password
sign-in and authenticated requests through the real app (``python -m tests.bench passwords``)."""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from argon2 import PasswordHasher
from litestar.testing import AsyncTestClient

from hub.app import create_app
from hub.lib.passwords import Passwords
from hub.store import upgrade
from tests.helpers import hub_settings

ROUNDS = 20


def _median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms"


def _hash_times(hasher: PasswordHasher, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        hasher.hash("correct horse battery")
        times.append(time.perf_counter() - start)
    return times


async def _through_the_app() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(hub_settings(Path(tmp)), start_jobs=False, migrate=upgrade)
        async with AsyncTestClient(app=app) as client:
            admin = {"Authorization": f"Bearer {app.state.hub.admin_token}"}
            body = {"name": "ops", "role": "admin", "password": "correct horse battery"}
            await client.post("/api/v1/users", json=body, headers=admin)
            sign_ins, with_session, with_token = [], [], []
            for _ in range(ROUNDS):
                client.cookies.clear()
                start = time.perf_counter()
                response = await client.post(
                    "/api/v1/session", json={"name": "ops", "password": body["password"]}
                )
                sign_ins.append(time.perf_counter() - start)
                assert response.status_code == 204
                for target, headers in ((with_session, {}), (with_token, admin)):
                    start = time.perf_counter()
                    response = await client.get("/api/v1/rules", headers=headers)
                    target.append(time.perf_counter() - start)
                    assert response.status_code == 200
            print(f"password sign-in through the app: median {_median_ms(sign_ins)}")
            print(f"GET /api/v1/rules with the session cookie: median {_median_ms(with_session)}")
            print(f"GET /api/v1/rules with the admin token: median {_median_ms(with_token)}")


def run_passwords() -> None:
    """Print hash times and sign-in latencies (medians of 20)."""
    hub = Passwords()._hasher
    print(f"argon2id, hub parameters (m=19 MiB, t=2, p=1): {_median_ms(_hash_times(hub, ROUNDS))}")
    default = _hash_times(PasswordHasher(), 5)
    print(f"argon2id, argon2-cffi default (m=64 MiB, t=3, p=4): {_median_ms(default)}")
    asyncio.run(_through_the_app())
