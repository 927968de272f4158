"""APScheduler wiring: thin jobs (``collect:<source>``, ``deliver``, ``prune``) calling packages."""

from hub.jobs.scheduler import HubJobs, build_scheduler, drain, follow_triggers

__all__ = ["HubJobs", "build_scheduler", "drain", "follow_triggers"]
