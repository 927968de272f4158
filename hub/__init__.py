"""tcf-hub: monitoring and alerting hub."""

__version__ = "0.1.0"
