"""promtool's expanding notation for rule unit tests' input series."""

from __future__ import annotations

import pytest

from hub.cli.ruletest import expand_values


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("1 2 3", [1, 2, 3]),
        ("1+2x3", [1, 3, 5, 7]),
        ("5-1x2", [5, 4, 3]),
        ("7x2", [7, 7, 7]),
        ("-1.5+0.5x2", [-1.5, -1.0, -0.5]),
        ("1 _ 3", [1, None, 3]),
        ("_x3 4", [None, None, None, 4]),
        ("1 stale", [1, None]),
        ("1e2", [100]),
    ],
)
def test_values_expand_like_promtool(text, values):
    assert expand_values(text) == values


@pytest.mark.parametrize("text", ["1+x3", "abc", "1+2y3", "x3"])
def test_unreadable_values_are_refused_with_the_term(text):
    with pytest.raises(ValueError, match="cannot read"):
        expand_values(text)
