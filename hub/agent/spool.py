"""The agent's spool: batches the hub could not take yet, one fsync'd file each, oldest first.

Files are named by a sequence number (``0000000000000042.batch``) so their order is the order
the batches were made; a file appears whole (written to a temporary name, fsync'd, renamed,
directory fsync'd) or not at all. The spool is bounded: past ``max_bytes`` the oldest batches
are dropped, with a warning, so a long outage cannot fill the disk.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

SUFFIX = ".batch"


class Spool:
    """An append-only directory of batch files."""

    def __init__(self, folder: Path, max_bytes: int) -> None:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        for leftover in folder.glob("*.tmp"):  # a write cut short by a crash
            leftover.unlink(missing_ok=True)
        self._folder = folder
        self._max_bytes = max_bytes
        self._sizes = {p: p.stat().st_size for p in sorted(folder.glob(f"*{SUFFIX}"))}
        self._next = 1 + max((int(p.stem) for p in self._sizes if p.stem.isdigit()), default=0)
        self.dropped = 0
        """Batches dropped because the spool was full, since start."""

    def __len__(self) -> int:
        return len(self._sizes)

    @property
    def size(self) -> int:
        """Bytes held."""
        return sum(self._sizes.values())

    def append(self, batch: bytes) -> Path:
        """Store ``batch`` durably after every batch stored before it; drop the oldest while
        the spool is over its size bound (never the batch just stored)."""
        path = self._folder / f"{self._next:016d}{SUFFIX}"
        temp = path.with_suffix(".tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, batch)
            os.fsync(fd)
        finally:
            os.close(fd)
        temp.replace(path)
        _fsync_dir(self._folder)
        self._next += 1
        self._sizes[path] = len(batch)
        while self.size > self._max_bytes and len(self._sizes) > 1:
            oldest = next(iter(self._sizes))
            self.remove(oldest)
            self.dropped += 1
            log.warning(
                "spool is over %.1f MB: dropped the oldest batch %s (%d dropped so far)",
                self._max_bytes / 1e6,
                oldest.name,
                self.dropped,
            )
        return path

    def pending(self) -> list[Path]:
        """The stored batches, oldest first."""
        return list(self._sizes)

    def read(self, path: Path) -> bytes:
        """The batch stored at ``path``."""
        return path.read_bytes()

    def remove(self, path: Path) -> None:
        """Forget a batch (sent, or refused for good)."""
        path.unlink(missing_ok=True)
        self._sizes.pop(path, None)


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable (https://man7.org/linux/man-pages/man2/fsync.2.html, NOTES)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
