"""The agent (C10): runs the collectors on another host and ships batches to a hub."""

from hub.agent.run import Agent, run_agent
from hub.agent.shipper import HubRefusedError, Outcome, SendResult, Shipper
from hub.agent.spool import Spool

__all__ = ["Agent", "HubRefusedError", "Outcome", "SendResult", "Shipper", "Spool", "run_agent"]
