"""What request handlers reach: the wired parts of the running hub."""

from __future__ import annotations

from dataclasses import dataclass, field

from litestar.di import NamedDependency

from hub.alerts import AlertEngine
from hub.alerts.catalog import RuleCatalog
from hub.api.known_tokens import KnownTokens
from hub.api.sessions import Sessions
from hub.channels import PushKit
from hub.collectors import Collector
from hub.jobs import HubJobs
from hub.lib.bus import Bus
from hub.lib.clock import Clock
from hub.notify.outbox import Deliverer
from hub.notify.routes import Routes
from hub.settings import Settings
from hub.store import Store
from hub.tsdb import TSDB


@dataclass(frozen=True)
class HubState:
    """The running hub, built in the app's lifespan."""

    settings: Settings
    store: Store
    tsdb: TSDB
    bus: Bus
    engine: AlertEngine
    deliverer: Deliverer
    jobs: HubJobs
    collectors: list[Collector]
    routes: Routes
    clock: Clock
    admin_token: str
    sessions: Sessions
    push: PushKit
    catalog: RuleCatalog
    """The rules in force: alerts.yml's and the API's."""
    known_tokens: KnownTokens = field(default_factory=KnownTokens)
    """API tokens recently checked, by hash (``ApiTokens``)."""


HubDep = NamedDependency[HubState]
"""How handlers ask for the running hub (the ``hub`` dependency)."""
