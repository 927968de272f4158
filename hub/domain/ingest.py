"""The ingest batch (C10): what ``tcf-hub agent`` sends to ``POST /api/v1/ingest``.

Version 1, encoded with msgpack (``Content-Type: application/msgpack``) or JSON::

    {"v": 1, "agent": "web-1", "samples": [[name, {label: value}, value, unix_seconds], ...]}

One row per sample keeps the format obvious and the encoder trivial; msgpack makes it compact
enough (about 60 bytes a sample with a few labels). Each sample gets ``host`` = the agent's name
unless it carries its own ``host`` label. Re-sending a batch is harmless: the store keeps one
sample per (series, millisecond).
"""

from __future__ import annotations

import math
import re
from datetime import datetime

import msgspec

from hub.domain.samples import Sample

VERSION = 1
MAX_SAMPLES = 20_000
"""Samples per batch; an agent sends one collection (a few hundred) per batch."""
MAX_LABELS = 16
"""Labels per sample, ``host`` included."""
MAX_TEXT = 200
"""Characters in a metric name, label name, label value or agent name."""
MAX_FUTURE = 300.0
"""Seconds a sample may lie ahead of the hub's clock (clock skew), no more."""

_METRIC = re.compile(r"^[A-Za-z_:][A-Za-z0-9_:]*$")
_LABEL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

SampleRow = tuple[str, dict[str, str], float, float]
"""``[name, labels, value, time]``; time in unix seconds."""


class IngestBatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One batch of samples from one agent."""

    agent: str
    """The sending agent's name (its host name unless ``--host`` says otherwise)."""
    samples: list[SampleRow]
    v: int = VERSION
    """Schema version; only 1 exists."""


class IngestResult(msgspec.Struct, frozen=True):
    """What the hub did with a batch."""

    accepted: int


class IngestError(ValueError):
    """A batch that cannot be stored; the message says which sample and why."""


class UnsupportedBatchTypeError(IngestError):
    """The body is neither msgpack nor JSON."""


def encode_batch(agent: str, samples: list[Sample]) -> bytes:
    """The msgpack body an agent sends for ``samples``."""
    rows = [(s.name, s.labels, s.value, s.time) for s in samples]
    return msgspec.msgpack.encode(IngestBatch(agent=agent, samples=rows))


def decode_batch(body: bytes, content_type: str) -> IngestBatch:
    """Decode a request body as msgpack or JSON by its content type.

    Raises:
        IngestError: the body is not a well-formed batch of this version.
    """
    kind = content_type.split(";", 1)[0].strip().lower()
    try:
        if kind in ("application/msgpack", "application/x-msgpack", "application/vnd.msgpack"):
            return msgspec.msgpack.decode(body, type=IngestBatch)
        if kind in ("application/json", ""):
            return msgspec.json.decode(body, type=IngestBatch)
    except msgspec.DecodeError as exc:  # ValidationError is a DecodeError
        raise IngestError(f"malformed batch: {exc}") from None
    raise UnsupportedBatchTypeError(
        f"unsupported content type {kind!r}: send application/msgpack or JSON"
    )


def batch_samples(batch: IngestBatch, now: datetime, oldest: float) -> list[Sample]:
    """The samples of a valid batch, each with its ``host``.

    Args:
        batch: a decoded batch.
        now: the hub's time; samples more than ``MAX_FUTURE`` ahead of it are refused.
        oldest: unix time before which samples are refused (older than raw retention).

    Raises:
        IngestError: the batch breaks a limit; nothing of it should be stored.
    """
    if batch.v != VERSION:
        raise IngestError(f"unsupported batch version {batch.v} (this hub reads {VERSION})")
    if not batch.agent or len(batch.agent) > MAX_TEXT:
        raise IngestError(f"agent must be 1-{MAX_TEXT} characters")
    if len(batch.samples) > MAX_SAMPLES:
        raise IngestError(f"{len(batch.samples)} samples in one batch; the limit is {MAX_SAMPLES}")
    latest = now.timestamp() + MAX_FUTURE
    out = []
    for index, (name, labels, value, time) in enumerate(batch.samples):
        where = f"samples[{index}]"
        _check_sample(where, name, labels, value)
        if not math.isfinite(time) or time > latest:
            raise IngestError(f"{where}: time {time} is more than {MAX_FUTURE:g}s in the future")
        if time < oldest:
            raise IngestError(f"{where}: time {time} is older than the raw retention")
        out.append(Sample(name, {**labels, "host": labels.get("host") or batch.agent}, value, time))
    return out


def _check_sample(where: str, name: str, labels: dict[str, str], value: float) -> None:
    if len(name) > MAX_TEXT or not _METRIC.match(name):
        raise IngestError(f"{where}: invalid metric name {name[:MAX_TEXT]!r}")
    if len(labels) + ("host" not in labels) > MAX_LABELS:
        raise IngestError(f"{where}: more than {MAX_LABELS} labels")
    for key, text in labels.items():
        if len(key) > MAX_TEXT or not _LABEL.match(key) or key.startswith("__"):
            raise IngestError(f"{where}: invalid label name {key[:MAX_TEXT]!r}")
        if len(text) > MAX_TEXT:
            raise IngestError(f"{where}: label {key} is longer than {MAX_TEXT} characters")
    if not math.isfinite(value):
        raise IngestError(f"{where}: value must be a finite number")
