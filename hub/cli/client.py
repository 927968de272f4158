"""The HTTP client behind ``tcf-hub ctl``: finds the token, maps failures to exit codes (C5)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import click
import httpx

from hub.settings import default_data_dir

EXIT_REFUSED = 1
EXIT_UNREACHABLE = 3
DEV_DATA_DIR = Path("data")
"""Where ``make run`` keeps its data; ctl finds that hub's token when run from the checkout."""


def find_token(token: str | None, data_dir: Path | None) -> str | None:
    """The admin token: given, else from the data dir's ``admin.token``."""
    if token:
        return token
    candidates = [data_dir] if data_dir else [DEV_DATA_DIR, default_data_dir()]
    for folder in candidates:
        path = folder / "admin.token"
        if path.is_file():
            return path.read_text(encoding="utf-8").strip()
    return None


def fail(message: str, code: int = EXIT_REFUSED) -> NoReturn:
    """Print ``message`` to stderr and exit with ``code``."""
    click.echo(f"tcf-hub: {message}", err=True)
    sys.exit(code)


class HubClient:
    """Calls the running hub's API."""

    def __init__(self, url: str, token: str | None, timeout: float = 10.0) -> None:
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._url = url.rstrip("/")
        self._timeout = timeout

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send a request; exit 3 when the hub cannot be reached, 1 when it refuses."""
        try:
            with httpx.Client(headers=self._headers, timeout=self._timeout) as http:
                response = http.request(method, self._url + path, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadTimeout) as exc:
            fail(
                f"cannot reach the hub at {self._url} ({type(exc).__name__}); is it running?",
                EXIT_UNREACHABLE,
            )
        if response.status_code == 401:
            fail("the hub refused the token; pass --token or set TCF_HUB_TOKEN / --data-dir")
        if response.status_code >= 400:
            fail(_detail(response))
        return response

    def get(self, path: str, **params: Any) -> Any:
        """GET JSON."""
        clean = {k: v for k, v in params.items() if v is not None}
        return self.request("GET", path, params=clean).json()

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        """POST JSON, return JSON."""
        return self.request("POST", path, json=body or {}).json()


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"the hub answered HTTP {response.status_code}"
    detail = body.get("detail") if isinstance(body, dict) else None
    return f"{detail or 'refused'} (HTTP {response.status_code})"
