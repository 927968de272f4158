"""API tokens recently checked, shared by every request (see ``hub.api.tokens.ApiTokens``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.domain.tokens import ApiToken


@dataclass
class KnownTokens:
    """Tokens checked within the last minute, by the hash of their secret."""

    by_hash: dict[str, ApiToken] = field(default_factory=dict)
    revocations: int = 0
    """Counts revocations, so a check that read a token from the store while it was being
    revoked does not remember it afterwards."""
