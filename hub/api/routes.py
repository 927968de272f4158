"""Assembling the Litestar app: routes, auth, OpenAPI, static PWA and error mapping."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import OpenAPI, OpenAPIResponse
from litestar.plugins import PluginProtocol
from litestar.plugins.core import MsgspecDIPlugin
from litestar.static_files import create_static_files_router
from litestar.types import Message, Scope

from hub import __version__
from hub.api.about import about
from hub.api.alerts import AlertController
from hub.api.auth import (
    PUBLIC,
    TokenAuth,
    create_session,
    delete_session,
    login_with_link,
    unauthenticated_paths,
)
from hub.api.channels import ChannelController, list_deliveries
from hub.api.headers import security_headers
from hub.api.heartbeats import list_heartbeats, ping_heartbeat
from hub.api.ingest import ingest_batch, list_hosts
from hub.api.login_links import create_login_link
from hub.api.maintenance import list_maintenance
from hub.api.metrics import (
    current_metrics,
    healthz,
    prometheus_metrics,
    readyz,
    stream_events,
)
from hub.api.push import PushController
from hub.api.rules import RuleController
from hub.api.series import compare_series, forecast_series, query_series
from hub.api.silences import SilenceController
from hub.api.state import HubState
from hub.api.tokens import TokenController
from hub.api.topology import topology
from hub.api.users import MeController, SessionController, UserController, set_up_admin
from hub.settings import Settings
from hub.store import StoreBusyError, StoreWriteError

WEB_DIST = Path(__file__).resolve().parent.parent / "web" / "dist"
NO_CACHE = {"/", "/index.html", "/sw.js", "/manifest.webmanifest"}


def _hub(state: State) -> HubState:
    hub: HubState = state.hub
    return hub


def build_api(
    settings: Settings, lifespan: Callable[[Litestar], AbstractAsyncContextManager[None]]
) -> Litestar:
    """The Litestar app for ``settings``; ``lifespan`` opens and closes everything it uses."""
    handlers: list[Any] = [
        healthz,
        readyz,
        query_series,
        forecast_series,
        compare_series,
        prometheus_metrics,
        current_metrics,
        stream_events,
        topology,
        AlertController,
        SilenceController,
        login_with_link,
        create_session,
        delete_session,
        ingest_batch,
        list_hosts,
        ping_heartbeat,
        list_heartbeats,
        TokenController,
        PushController,
        ChannelController,
        list_deliveries,
        UserController,
        SessionController,
        MeController,
        set_up_admin,
        about,
        create_login_link,
        RuleController,
        list_maintenance,
    ]
    if (WEB_DIST / "index.html").is_file():
        handlers.append(
            create_static_files_router(
                path="/",
                directories=[WEB_DIST],
                html_mode=True,
                include_in_schema=False,
                name="pwa",
                opt=PUBLIC,
            )
        )
        handlers.append(dashboard_view)
    else:
        handlers.append(dashboard_missing)
    app = _HubApp(
        route_handlers=handlers,
        lifespan=[lifespan],
        dependencies={"hub": Provide(_hub, sync_to_thread=False)},
        middleware=[
            DefineMiddleware(
                TokenAuth, exclude=unauthenticated_paths(settings.monitoring.hub.metrics_public)
            )
        ],
        openapi_config=OpenAPIConfig(title="tcf-hub", version=__version__, path="/schema"),
        before_send=[_cache_headers, security_headers],
        exception_handlers={
            StoreBusyError: _store_busy,
            StoreWriteError: _store_unwritable,
            OverflowError: _out_of_range,
        },
        debug=False,
        logging_config=None,
    )
    # Litestar builds the schema on its first request; this keeps it so, with 204s fixed then.
    app.plugins.get(OpenAPIPlugin).__class__ = _HubOpenAPIPlugin
    return app


class _HubApp(Litestar):
    """Litestar without the plugins it adds for pydantic and attrs models when those packages
    can be imported: the hub's API uses msgspec structs only. Importing the two plugins (attrs
    is installed for aiohttp, pydantic is tried and missing) was about 5 % of the server's
    import time at start-up."""

    @staticmethod
    def _get_default_plugins(plugins: list[PluginProtocol]) -> list[PluginProtocol]:
        plugins.append(MsgspecDIPlugin())
        return plugins


class _HubOpenAPIPlugin(OpenAPIPlugin):
    """Litestar's OpenAPI plugin, whose schema documents no body for 204 responses.

    The schema (50 to 75 ms of CPU for the hub's routes) is built when ``/schema/…`` is first
    requested, not when the app is made: start-up (first ``/healthz``) does not wait for it.
    Litestar adds its own plugin instance, so ``build_api`` swaps that instance's class.
    """

    __slots__ = ()

    def _build_openapi(self) -> OpenAPI:
        openapi = super()._build_openapi()
        _no_body_on_204(openapi)
        return openapi


def _no_body_on_204(openapi: OpenAPI) -> None:
    """A 204 has no body (RFC 9110 §15.3.5), but Litestar documents one of type null for
    handlers returning ``Response[None]``; clients that validate responses against the schema
    (schemathesis) would then expect a JSON body."""
    for item in (openapi.paths or {}).values():
        for operation in (item.get, item.put, item.post, item.delete, item.patch):
            response = (operation.responses or {}).get("204") if operation else None
            if isinstance(response, OpenAPIResponse):
                response.content = None


@get("/", include_in_schema=False, media_type="text/plain", status_code=503, opt=PUBLIC)
async def dashboard_missing() -> str:
    """Shown when the hub runs from a checkout whose frontend was not built."""
    return "The dashboard is not built. Run `make build` (or `npm run build` in frontend/)."


DASHBOARD_VIEWS = (
    *("alerts", "hosts", "services", "containers", "topology"),
    *("trends", "silences", "rules", "settings"),
    *("users", "account"),
    "maintenance",
)
"""The dashboard's client-side routes; each loads index.html (a deep link like /alerts/12)."""


@get(
    [path for view in DASHBOARD_VIEWS for path in (f"/{view}", f"/{view}/{{rest:path}}")],
    include_in_schema=False,
    media_type="text/html",
    opt=PUBLIC,
    sync_to_thread=False,
)
def dashboard_view() -> Response[bytes]:
    """The dashboard's client-side routes (deep links like /alerts/12) load its index.html."""
    return Response((WEB_DIST / "index.html").read_bytes(), headers={"Cache-Control": "no-cache"})


def _store_busy(request: Request[Any, Any, Any], error: StoreBusyError) -> Response[Any]:
    """503 with Retry-After: agents keep the batch and send it again, nothing is lost."""
    del request
    return Response(
        {"status_code": 503, "detail": str(error)},
        status_code=503,
        headers={"Retry-After": "1"},
    )


def _store_unwritable(request: Request[Any, Any, Any], error: StoreWriteError) -> Response[Any]:
    """503 when the store cannot write (a full disk): the change was not made; reads work."""
    del request
    return Response(
        {"status_code": 503, "detail": str(error)},
        status_code=503,
        headers={"Retry-After": "30"},
    )


async def _cache_headers(message: Message, scope: Scope) -> None:
    """Hashed assets are immutable; the shell and service worker must always revalidate."""
    if message["type"] != "http.response.start":
        return
    path = scope["path"]
    extra: list[tuple[bytes, bytes]] = []
    if path in NO_CACHE:
        extra.append((b"cache-control", b"no-cache"))
    elif path.startswith("/assets/"):
        extra.append((b"cache-control", b"public, max-age=31536000, immutable"))
    if extra:
        message["headers"] = [*message.get("headers", ()), *extra]


def _out_of_range(request: Request[Any, Any, Any], error: OverflowError) -> Response[Any]:
    """400 for a number too large for the store or a date (an id past 2**63 - 1 …), which
    would otherwise surface as a 500."""
    del request, error
    return Response(
        {"status_code": 400, "detail": "a number in the request is out of range"},
        status_code=400,
    )
