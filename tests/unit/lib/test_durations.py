"""Durations as numbers or strings (C6)."""

import pytest

from hub.lib.durations import format_duration, parse_duration
from hub.lib.sizes import parse_size


@pytest.mark.parametrize(
    ("given", "seconds"),
    [
        (300, 300),
        (1.5, 1.5),
        ("90s", 90),
        ("5m", 300),
        ("2h", 7200),
        ("30d", 2592000),
        ("1h30m", 5400),
        ("250ms", 0.25),
        ("1w", 604800),
        ("45", 45),
        (" 10s ", 10),
    ],
)
def test_durations_parse_to_seconds(given, seconds):
    assert parse_duration(given) == seconds


@pytest.mark.parametrize("given", ["soon", "", "5 minutes", -1, True, None, [1], "m5"])
def test_non_durations_are_refused(given):
    with pytest.raises(ValueError, match="duration"):
        parse_duration(given)


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0s"), (90, "1m30s"), (300, "5m"), (90061, "1d1h1m1s")]
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("given", "size"),
    [
        (0, 0),
        (1024, 1024),
        ("500MB", 500_000_000),
        ("2GB", 2_000_000_000),
        ("1.5GiB", 1610612736),
        ("10 kb", 10_000),
        ("7", 7),
    ],
)
def test_sizes_parse_to_bytes(given, size):
    assert parse_size(given) == size


@pytest.mark.parametrize("given", ["lots", "-1", -5, True, "5 parsecs", None])
def test_non_sizes_are_refused(given):
    with pytest.raises(ValueError, match="size"):
        parse_size(given)
