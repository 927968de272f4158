"""The application factory: wires store, jobs, channels and API into one Litestar app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta

import httpx
from litestar import Litestar

from hub.alerts import AlertEngine
from hub.alerts.catalog import RuleCatalog, alerts_data
from hub.api import build_api
from hub.api.sessions import Sessions
from hub.api.state import HubState
from hub.channels import PushKit, build_channel
from hub.collectors import Closeable, build_collectors
from hub.collectors.heartbeats import HeartbeatCollector
from hub.collectors.selfmon import SelfMonCollector
from hub.jobs import HubJobs, build_scheduler, drain, follow_triggers
from hub.lib.bus import Bus
from hub.lib.clock import Clock, SystemClock
from hub.lib.http import create_client
from hub.lib.secrets import ensure_private_dir, ensure_secret_file
from hub.lib.vapid import VAPID_FILE, ensure_vapid_keys
from hub.notify.dispatch import Dispatcher
from hub.notify.outbox import Deliverer
from hub.notify.ratelimit import RateLimits
from hub.notify.routes import resolve_routes
from hub.settings import Settings
from hub.store import Store, open_store
from hub.store.backup import hold_data_dir
from hub.store.migrate import upgrade_out_of_process
from hub.tsdb import TSDB

log = logging.getLogger("hub")
WATCH_RULES_EVERY = 5.0
"""Seconds between looks at alerts.yml's modification time (one stat call)."""


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    http: httpx.AsyncClient | None = None,
    announce: Callable[[str], None] | None = None,
    start_jobs: bool = True,
    migrate: Callable[[str], object] = upgrade_out_of_process,
) -> Litestar:
    """The hub as an ASGI app; everything is opened and closed by its lifespan.

    Args:
        settings: loaded configuration.
        clock: time source (tests pass a ManualClock).
        http: shared outbound HTTP client; one is created (and closed) when omitted.
        announce: where start-up messages such as the login link go (default: the log).
        start_jobs: run the scheduler; tests that drive jobs by hand turn it off.
        migrate: brings the store at a URL to the newest revision (tests migrate in-process,
            which is quicker than a child process for the hundreds of stores they make).
    """
    clock = clock or SystemClock()
    say = announce or log.info

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            ensure_private_dir(settings.data_dir)
            if not stack.enter_context(hold_data_dir(settings.data_dir, wait=False)):
                log.warning("another hub holds %s: two hubs on one store", settings.data_dir)
            await asyncio.to_thread(migrate, settings.database_url)
            store = open_store(settings.database_url)
            stack.push_async_callback(store.close)
            client = http
            if client is None:
                client = create_client()
                stack.push_async_callback(client.aclose)
            token, created = ensure_secret_file(settings.data_dir / "admin.token")
            state = _wire(settings, store, client, clock, token)
            app.state.hub = state
            await state.catalog.load()
            if settings.monitoring.heartbeats:  # watched (they age) from their first start
                async with store.tx() as tx:
                    await tx.heartbeats.ensure(settings.monitoring.heartbeats, clock.now())
            for collector in state.collectors:
                if isinstance(collector, Closeable):
                    stack.push_async_callback(collector.aclose)
            for warning in state.routes.warnings:
                log.warning("alerts: %s", warning)
            link = await state.sessions.create_login_link()
            say(f"tcf-hub is running at {settings.external_url}/")
            if created:
                say(f"Admin token written to {settings.data_dir / 'admin.token'} (mode 0600)")
            say(f"One-time login link (valid 15 minutes): {link}")
            _reload_on_sighup(stack, state)
            stack.push_async_callback(drain, state.jobs)  # also background evaluations
            if start_jobs:
                scheduler = build_scheduler(
                    state.jobs,
                    state.collectors,
                    watch=(state.catalog.reload_if_changed, WATCH_RULES_EVERY),
                )
                scheduler.start()
                stack.callback(scheduler.shutdown, wait=False)
                for collector in state.collectors:
                    stack.push_async_callback(
                        _cancel, asyncio.create_task(follow_triggers(state.jobs, collector))
                    )
            yield

    return build_api(settings, lifespan)


def _reload_on_sighup(stack: AsyncExitStack, state: HubState) -> None:
    """SIGHUP reloads alerts.yml (where the platform has signals and this is the main
    thread; elsewhere the file watch still picks changes up)."""
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[bool]] = set()

    def reload() -> None:
        task = loop.create_task(state.catalog.reload())
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    try:
        loop.add_signal_handler(signal.SIGHUP, reload)
    except (NotImplementedError, RuntimeError, ValueError, AttributeError):
        return
    stack.callback(loop.remove_signal_handler, signal.SIGHUP)


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _wire(
    settings: Settings, store: Store, client: httpx.AsyncClient, clock: Clock, token: str
) -> HubState:
    tsdb = TSDB(store)
    bus = Bus()
    routes = resolve_routes(settings.rules, settings.monitoring.channels)
    vapid, _ = ensure_vapid_keys(settings.data_dir / VAPID_FILE)
    push = PushKit(store, vapid, clock, settings.external_url)
    channels = {
        name: build_channel(config, client, push) for name, config in routes.channels.items()
    }
    dispatcher = Dispatcher(store, settings.policy, routes, settings.rules, settings.external_url)
    engine = AlertEngine(store, tsdb, settings.rules, dispatcher, clock, bus)
    notify = settings.monitoring.notify
    deliverer = Deliverer(
        store,
        channels,
        clock,
        max_age=timedelta(seconds=float(notify.max_age)),
        limits=RateLimits(
            {name: c.max_per_minute for name, c in routes.channels.items()},
            notify.max_per_minute,
        ),
        external_url=settings.external_url,
    )
    dispatcher.memory.send = deliverer.send_unstored  # alerts on a full disk
    jobs = HubJobs(
        tsdb,
        engine,
        dispatcher,
        deliverer,
        bus,
        clock,
        settings.monitoring.retention,
    )
    collectors = build_collectors(settings.monitoring, clock, client)
    collectors.append(
        SelfMonCollector(
            jobs.monitor,
            store,
            deliverer.failures,
            clock,
            float(settings.monitoring.collection.interval),
        )
    )
    if settings.monitoring.heartbeats:  # reads the store, so not built with the agent's set
        collectors.append(
            HeartbeatCollector(
                store,
                settings.monitoring.heartbeats,
                clock,
                float(settings.monitoring.collection.interval),
            )
        )
    return HubState(
        settings=settings,
        store=store,
        tsdb=tsdb,
        bus=bus,
        engine=engine,
        deliverer=deliverer,
        jobs=jobs,
        collectors=collectors,
        routes=routes,
        clock=clock,
        admin_token=token,
        sessions=Sessions(store, clock, settings.external_url),
        push=push,
        catalog=RuleCatalog(
            store,
            engine,
            clock,
            settings.rules,
            alerts_data(settings.alerts_file),
            list(settings.monitoring.channels),
            settings.alerts_file,
        ),
    )
