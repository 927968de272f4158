"""Silences: label matchers that mute notifications between two instants (Alertmanager's model).

Everything here is a pure function of its arguments; ``now`` is always passed in. Silence ids
are opaque strings the caller assigns (Alertmanager uses UUIDs). Alertmanager reference:
https://prometheus.io/docs/alerting/latest/alertmanager/#silences and ``silence/silence.go``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

import msgspec

from hub.domain.matchers import Matcher, MatchOp, all_match
from hub.lib.durations import parse_duration

_LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MATCHER_TEXT = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*", re.S)
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
_REQUEST_KEYS = ("matchers", "starts_at", "ends_at", "duration", "comment", "created_by")


class SilenceError(ValueError):
    """A silence, an edit or a silence request that cannot be used.

    ``field`` names what is wrong (``matchers[1]``, ``ends_at``; empty for the whole silence)
    and ``reason`` says why; ``str()`` reads ``field: reason``.
    """

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}" if field else reason)


class SilenceExpiredError(SilenceError):
    """An edit or an expiry of a silence that has already expired (it is history now)."""


class SilenceState(enum.StrEnum):
    """Where a silence is in its life, by time alone."""

    PENDING = "pending"
    ACTIVE = "active"
    EXPIRED = "expired"


class Silence(msgspec.Struct, frozen=True):
    """Mutes notifications of alerts whose labels satisfy every matcher, from start to end.

    ``starts_at`` is inclusive and ``ends_at`` exclusive. All times are timezone-aware.
    """

    id: str
    matchers: tuple[Matcher, ...]
    starts_at: datetime
    ends_at: datetime
    created_by: str
    comment: str
    created_at: datetime
    updated_at: datetime

    def state(self, now: datetime) -> SilenceState:
        """Pending before ``starts_at``, expired from ``ends_at`` on, active in between."""
        if now < self.starts_at:
            return SilenceState.PENDING
        if now >= self.ends_at:
            return SilenceState.EXPIRED
        return SilenceState.ACTIVE

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether ``labels`` satisfy every matcher, whatever the time."""
        return all_match(self.matchers, labels)

    def mutes(self, labels: Mapping[str, str], now: datetime) -> bool:
        """Whether this silence is active at ``now`` and matches ``labels``."""
        return self.state(now) is SilenceState.ACTIVE and self.matches(labels)


class SilenceRequest(msgspec.Struct, frozen=True):
    """A validated request for a new silence, not yet given an id (see ``new_silence``)."""

    matchers: tuple[Matcher, ...]
    starts_at: datetime
    ends_at: datetime
    created_by: str
    comment: str


class SilenceChanges(msgspec.Struct, frozen=True):
    """An edit of a silence: fields left None keep their value."""

    matchers: tuple[Matcher, ...] | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    comment: str | None = None
    created_by: str | None = None
    """Who made the edit; like Alertmanager, the last editor is recorded as the creator."""


class SilenceEdit(msgspec.Struct, frozen=True):
    """What ``update`` decided: store ``silence``; if ``replaced`` is set, store it too.

    ``replaced`` is the edited silence, expired at ``now``, when the edit could not be made in
    place; ``silence`` is then a new silence with a new id.
    """

    silence: Silence
    replaced: Silence | None = None


def silenced_by(
    labels: Mapping[str, str], silences: Iterable[Silence], now: datetime
) -> tuple[Silence, ...]:
    """The silences that mute an alert with ``labels`` at ``now`` (active, all matchers hold)."""
    return tuple(s for s in silences if s.mutes(labels, now))


def is_silenced(labels: Mapping[str, str], silences: Iterable[Silence], now: datetime) -> bool:
    """Whether any silence mutes an alert with ``labels`` at ``now``."""
    return any(s.mutes(labels, now) for s in silences)


def new_silence(silence_id: str, request: SilenceRequest, now: datetime) -> Silence:
    """A silence made from ``request`` at ``now``; a start in the past becomes ``now``.

    Raises:
        SilenceError: the request is invalid (see ``validate``).
    """
    starts_at = max(request.starts_at, now)
    validate(request.matchers, starts_at, request.ends_at, now)
    return Silence(
        id=silence_id,
        matchers=request.matchers,
        starts_at=starts_at,
        ends_at=request.ends_at,
        created_by=request.created_by,
        comment=request.comment,
        created_at=now,
        updated_at=now,
    )


def expire(silence: Silence, now: datetime) -> Silence:
    """``silence`` ended at ``now``: ``ends_at = now``, and ``starts_at = now`` if pending.

    Raises:
        SilenceExpiredError: the silence has already expired.
    """
    state = silence.state(now)
    if state is SilenceState.EXPIRED:
        raise SilenceExpiredError("", f"silence {silence.id} already expired at {silence.ends_at}")
    starts_at = now if state is SilenceState.PENDING else silence.starts_at
    return msgspec.structs.replace(silence, starts_at=starts_at, ends_at=now, updated_at=now)


def update(silence: Silence, changes: SilenceChanges, now: datetime, *, new_id: str) -> SilenceEdit:
    """Apply ``changes`` to ``silence`` the way Alertmanager does.

    In place when the matchers are unchanged and, for an active silence, the start is
    unchanged (for a pending one, the new start is not in the past). Otherwise the silence is
    expired and a new one with id ``new_id`` starts (at the requested start, or ``now`` if that
    is past), so that the record of what an active silence muted stays true.

    Raises:
        SilenceExpiredError: the silence has expired; expired silences cannot be edited.
        SilenceError: the edited silence would be invalid (see ``validate``).
    """
    state = silence.state(now)
    if state is SilenceState.EXPIRED:
        raise SilenceExpiredError(
            "", f"silence {silence.id} expired at {silence.ends_at} and cannot be edited"
        )
    given = {f: getattr(changes, f) for f in changes.__struct_fields__}
    edited = msgspec.structs.replace(
        silence, **{f: v for f, v in given.items() if v is not None}, updated_at=now
    )
    if _can_update_in_place(silence, edited, state, now):
        validate(edited.matchers, edited.starts_at, edited.ends_at, now)
        return SilenceEdit(edited)
    starts_at = max(edited.starts_at, now)
    validate(edited.matchers, starts_at, edited.ends_at, now)
    fresh = msgspec.structs.replace(
        edited, id=new_id, starts_at=starts_at, created_at=now, updated_at=now
    )
    return SilenceEdit(fresh, replaced=expire(silence, now))


def validate(
    matchers: Sequence[Matcher], starts_at: datetime, ends_at: datetime, now: datetime
) -> None:
    """Check a silence about to be written at ``now``.

    Raises:
        SilenceError: naive times, ``ends_at`` not after ``starts_at`` or not after ``now``,
            or invalid matchers (see ``validate_matchers``).
    """
    for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value.tzinfo is None:
            raise SilenceError(field, f"{value.isoformat()} has no time zone (add Z or +HH:MM)")
    if ends_at <= starts_at:
        raise SilenceError(
            "ends_at", f"{ends_at.isoformat()} must be after starts_at {starts_at.isoformat()}"
        )
    if ends_at <= now:
        raise SilenceError(
            "ends_at", f"{ends_at.isoformat()} is in the past (to end a silence, expire it)"
        )
    validate_matchers(matchers)


def validate_matchers(matchers: Sequence[Matcher]) -> None:
    """Check a silence's matchers: at least one, valid names and regexes, not match-all.

    Raises:
        SilenceError: no matcher; a bad label name or regex; or every matcher matches the
            empty label set, so the silence would mute every alert (Alertmanager refuses it).
    """
    if not matchers:
        raise SilenceError("matchers", "at least one matcher is required")
    for index, matcher in enumerate(matchers):
        if not _LABEL_NAME.fullmatch(matcher.label):
            raise SilenceError(f"matchers[{index}]", f"{matcher.label!r} is not a label name")
        if matcher.op in (MatchOp.RE, MatchOp.NRE):
            try:
                re.compile(matcher.value)
            except re.error as exc:
                raise SilenceError(
                    f"matchers[{index}]", f"bad regex {matcher.value!r}: {exc}"
                ) from None
    if all(m.matches({}) for m in matchers):
        raise SilenceError(
            "matchers",
            "at least one matcher must not match the empty string "
            "(as written the silence would mute every alert)",
        )


def parse_matcher(text: str) -> Matcher:
    """A matcher from CLI or config text: ``host=db1``, ``job!=x``, ``service=~"api|web"``.

    The value may be bare or "double-quoted" (with backslash escapes); regexes are fully
    anchored when matched, as in Prometheus.

    Raises:
        ValueError: the text is not ``label OP value``, or the regex does not compile.
    """
    found = _MATCHER_TEXT.fullmatch(text)
    if not found:
        raise ValueError(
            f"{text!r} is not a matcher like label=value, label!=value, "
            "label=~regex or label!~regex"
        )
    label, op, value = found.groups()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], m[1]), value[1:-1])
    matcher = Matcher(label, MatchOp(op), value)
    if matcher.op in (MatchOp.RE, MatchOp.NRE):
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"bad regex {value!r} in {text!r}: {exc}") from None
    return matcher


def parse_matchers(items: object, field: str) -> tuple[Matcher, ...]:
    """Matchers from a list of ``"label=value"`` strings or ``{label, op, value}`` mappings.

    Raises:
        SilenceError: not a list, or an item that is not a matcher; ``field`` names the place.
    """
    if not isinstance(items, list | tuple):
        raise SilenceError(field, f"expected a list of matchers like host=db1, got {items!r}")
    matchers = []
    for index, item in enumerate(items):
        try:
            if isinstance(item, Matcher):
                matchers.append(item)
            elif isinstance(item, str):
                matchers.append(parse_matcher(item))
            else:
                matchers.append(msgspec.convert(item, Matcher))
        except (ValueError, msgspec.ValidationError) as exc:
            raise SilenceError(f"{field}[{index}]", str(exc)) from None
    return tuple(matchers)


def parse_silence_request(data: Mapping[str, object], now: datetime) -> SilenceRequest:
    """A silence request from a plain mapping (API body or CLI options).

    Keys: ``matchers`` (list of ``"label=value"`` strings or ``{label, op, value}``),
    ``starts_at`` (optional, default ``now``; aware datetime or RFC 3339 text), exactly one of
    ``ends_at`` or ``duration`` (``"2h"``, seconds), ``comment`` and ``created_by`` (both
    required, non-empty). ``ctl alerts silence --match K=V... --duration 2h --comment T``
    passes ``{"matchers": [...], "duration": "2h", "comment": T, "created_by": USER}``.

    Raises:
        SilenceError: an unknown or missing key or an invalid value; names the field.
    """
    for key in data:
        if key not in _REQUEST_KEYS:
            raise SilenceError(
                str(key), f"unknown field (expected one of {', '.join(_REQUEST_KEYS)})"
            )
    matchers = parse_matchers(data.get("matchers", []), "matchers")
    starts_at = _instant(data["starts_at"], "starts_at") if "starts_at" in data else now
    if ("ends_at" in data) == ("duration" in data):
        raise SilenceError("ends_at", "give exactly one of ends_at or duration (like 2h)")
    if "duration" in data:
        ends_at = starts_at + timedelta(seconds=_positive_duration(data["duration"]))
    else:
        ends_at = _instant(data["ends_at"], "ends_at")
    request = SilenceRequest(
        matchers=matchers,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=_required_text(data, "created_by"),
        comment=_required_text(data, "comment"),
    )
    validate(request.matchers, max(starts_at, now), ends_at, now)
    return request


def _can_update_in_place(old: Silence, new: Silence, state: SilenceState, now: datetime) -> bool:
    """Alertmanager's ``canUpdate``: same matchers, and a start that is not rewritten."""
    if new.matchers != old.matchers:
        return False
    if state is SilenceState.ACTIVE:
        return new.starts_at == old.starts_at
    return new.starts_at >= now


def _instant(value: object, field: str) -> datetime:
    """An aware datetime from a datetime or RFC 3339 text."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise SilenceError(
                field, f"{value!r} is not a time like 2026-05-02T20:00:00Z"
            ) from None
    if not isinstance(value, datetime):
        raise SilenceError(field, f"expected a time like 2026-05-02T20:00:00Z, got {value!r}")
    if value.tzinfo is None:
        raise SilenceError(field, f"{value.isoformat()} has no time zone (add Z or +HH:MM)")
    return value


def _positive_duration(value: object) -> float:
    """Seconds of a duration that must be more than zero."""
    try:
        seconds = float(parse_duration(value))
    except ValueError as exc:
        raise SilenceError("duration", str(exc)) from None
    if seconds <= 0:
        raise SilenceError("duration", f"must be more than zero, got {value!r}")
    return seconds


def _required_text(data: Mapping[str, object], field: str) -> str:
    """A non-empty string field."""
    value = data.get(field)
    if not isinstance(value, str) or not value.strip():
        raise SilenceError(field, "required: a non-empty text")
    return value.strip()
