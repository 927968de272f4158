"""Login throttling: failed sign-ins lock an account and slow an address (pure, time passed in)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

ACCOUNT_FAILURES = 5
"""Failed sign-ins in a row that lock an account."""
ACCOUNT_LOCKOUT = timedelta(minutes=15)
ADDRESS_FAILURES = 20
"""Failed sign-ins from one address within ``ADDRESS_WINDOW`` before it is refused."""
ADDRESS_WINDOW = timedelta(minutes=15)
MAX_TRACKED = 10_000
"""Entries kept per table; the oldest are forgotten first (bounded memory under attack)."""


ACCOUNT = "account"
ADDRESS = "address"


@dataclass
class ThrottleEntry:
    """Failed sign-ins of one account or address."""

    failures: int = 0
    since: datetime | None = None
    locked_until: datetime | None = None


ThrottleKey = tuple[str, str]
"""(``account`` or ``address``, the name or address)."""


@dataclass
class LoginThrottle:
    """Counts failed sign-ins per account and per client address.

    An account is locked for ``ACCOUNT_LOCKOUT`` after ``ACCOUNT_FAILURES`` failures in a row;
    an address is refused for the rest of its window after ``ADDRESS_FAILURES`` failures. A
    success clears the account's count. Entries that changed are listed in ``changed`` (None:
    forgotten) for the caller to store, so a restart does not clear a lockout.
    """

    accounts: dict[str, ThrottleEntry] = field(default_factory=dict)
    addresses: dict[str, ThrottleEntry] = field(default_factory=dict)
    changed: dict[ThrottleKey, ThrottleEntry | None] = field(default_factory=dict)

    def load(self, entries: dict[ThrottleKey, ThrottleEntry]) -> None:
        """Take up stored entries (at start)."""
        for (kind, key), entry in entries.items():
            self._table(kind)[key] = entry

    def _table(self, kind: str) -> dict[str, ThrottleEntry]:
        return self.accounts if kind == ACCOUNT else self.addresses

    def _entry(self, kind: str, key: str) -> ThrottleEntry:
        table = self._table(kind)
        entry = table.get(key)
        if entry is None:
            if len(table) >= MAX_TRACKED:
                oldest = next(iter(table))
                del table[oldest]
                self.changed[(kind, oldest)] = None
            entry = table[key] = ThrottleEntry()
        self.changed[(kind, key)] = entry
        return entry

    def retry_after(self, account: str | None, address: str, now: datetime) -> int | None:
        """Seconds until a sign-in may be tried again, or None when it may be tried now."""
        waits = []
        for table, key in ((self.accounts, account), (self.addresses, address)):
            entry = table.get(key) if key is not None else None
            if entry is not None and entry.locked_until is not None and entry.locked_until > now:
                waits.append((entry.locked_until - now).total_seconds())
        return max(1, int(max(waits)) + 1) if waits else None

    def failed(self, account: str | None, address: str, now: datetime) -> None:
        """Record a failed sign-in."""
        if account is not None:
            entry = self._entry(ACCOUNT, account)
            entry.failures += 1
            if entry.failures >= ACCOUNT_FAILURES:
                entry.locked_until = now + ACCOUNT_LOCKOUT
                entry.failures = 0
        entry = self._entry(ADDRESS, address)
        if entry.since is None or now - entry.since >= ADDRESS_WINDOW:
            entry.since, entry.failures = now, 0
        entry.failures += 1
        if entry.failures >= ADDRESS_FAILURES:
            entry.locked_until = entry.since + ADDRESS_WINDOW

    def succeeded(self, account: str) -> None:
        """A correct sign-in: the account's failures are forgotten."""
        if self.accounts.pop(account, None) is not None:
            self.changed[(ACCOUNT, account)] = None
