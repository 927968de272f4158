"""Label matchers in Prometheus's sense: ``=``, ``!=``, ``=~`` and ``!~``.

Regexes are fully anchored and a missing label equals the empty string. Series selectors, alert
routes, silences and inhibition rules all match labels with these.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping

import msgspec


class MatchOp(enum.StrEnum):
    """How a matcher compares a label value."""

    EQ = "="
    NE = "!="
    RE = "=~"
    NRE = "!~"


class Matcher(msgspec.Struct, frozen=True):
    """One ``label OP "value"`` condition."""

    label: str
    op: MatchOp
    value: str

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether ``labels`` satisfies this matcher (a missing label is ``""``)."""
        actual = labels.get(self.label, "")
        if self.op is MatchOp.EQ:
            return actual == self.value
        if self.op is MatchOp.NE:
            return actual != self.value
        found = re.fullmatch(self.value, actual) is not None
        return found if self.op is MatchOp.RE else not found


def all_match(matchers: Iterable[Matcher], labels: Mapping[str, str]) -> bool:
    """Whether every matcher holds for ``labels`` (true for no matchers)."""
    return all(m.matches(labels) for m in matchers)
