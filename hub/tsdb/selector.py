"""Series selectors: ``cpu_usage{host="a", mount=~"/data.*", service!=""}`` (Prometheus syntax).

Matchers are ``=``, ``!=``, ``=~`` and ``!~``; regexes are fully anchored and a missing label
equals the empty string, as in Prometheus. A bare metric name is a selector too.
"""

from __future__ import annotations

import re

import msgspec

from hub.domain.matchers import Matcher, MatchOp

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_OP = re.compile(r"=~|!~|!=|=")
_SPACE = re.compile(r"\s*")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


__all__ = ["MatchOp", "Matcher", "Selector", "SelectorError", "parse_selector"]


class SelectorError(ValueError):
    """Text that is not a valid selector; the message says where."""


class Selector(msgspec.Struct, frozen=True):
    """Which series to read: matchers on ``__name__`` and labels, all of which must hold."""

    matchers: tuple[Matcher, ...]

    @property
    def metric(self) -> str | None:
        """The metric name when the selector pins it with ``=``, else None."""
        for m in self.matchers:
            if m.label == "__name__" and m.op is MatchOp.EQ:
                return m.value
        return None

    def matches(self, name: str, labels: dict[str, str]) -> bool:
        """Whether the series ``name{labels}`` is selected."""
        full = {**labels, "__name__": name}
        return all(m.matches(full) for m in self.matchers)


def parse_selector(text: str) -> Selector:
    """Parse ``name{matchers}``, ``name`` or ``{matchers}``.

    Raises:
        SelectorError: the text is not a selector; the message names the position.
    """
    pos = _SPACE.match(text, 0).end()  # type: ignore[union-attr]
    matchers: list[Matcher] = []
    name = _NAME.match(text, pos)
    if name:
        matchers.append(Matcher("__name__", MatchOp.EQ, name.group()))
        pos = _skip(text, name.end())
    if pos < len(text) and text[pos] == "{":
        pos = _skip(text, pos + 1)
        while pos < len(text) and text[pos] != "}":
            matcher, pos = _matcher(text, pos)
            matchers.append(matcher)
            if pos < len(text) and text[pos] == ",":
                pos = _skip(text, pos + 1)
            elif pos < len(text) and text[pos] != "}":
                raise SelectorError(f"expected ',' or '}}' at position {pos} in {text!r}")
        if pos >= len(text):
            raise SelectorError(f"missing '}}' in {text!r}")
        pos = _skip(text, pos + 1)
    if pos != len(text):
        raise SelectorError(f"unexpected {text[pos:]!r} at position {pos} in {text!r}")
    if not any(not m.matches({}) for m in matchers):
        raise SelectorError(
            f"{text!r} must have a metric name or a matcher that excludes "
            "empty values (it would select every series)"
        )
    return Selector(tuple(matchers))


def _skip(text: str, pos: int) -> int:
    return _SPACE.match(text, pos).end()  # type: ignore[union-attr]


def _matcher(text: str, pos: int) -> tuple[Matcher, int]:
    label = _LABEL.match(text, pos)
    if not label:
        raise SelectorError(f"expected a label name at position {pos} in {text!r}")
    pos = _skip(text, label.end())
    op = _OP.match(text, pos)
    if not op:
        raise SelectorError(f"expected =, !=, =~ or !~ at position {pos} in {text!r}")
    pos = _skip(text, op.end())
    value = _STRING.match(text, pos)
    if not value:
        raise SelectorError(f'expected a "quoted" value at position {pos} in {text!r}')
    raw = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], m[1]), value[1])
    matcher = Matcher(label.group(), MatchOp(op.group()), raw)
    if matcher.op in (MatchOp.RE, MatchOp.NRE):
        try:
            re.compile(raw)
        except re.error as exc:
            raise SelectorError(f"bad regex {raw!r} for {label.group()}: {exc}") from None
    return matcher, _skip(text, value.end())
