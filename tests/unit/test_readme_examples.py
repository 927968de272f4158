"""The README's alerts.yml examples parse with the real parsers, and its `ctl` commands exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from hub.cli import cli
from hub.lib.yamlconf import ConfigError, parse_yaml
from hub.notify.policy import parse_policy
from hub.rules.parse import parse_rules

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "### alerts.yml"
"""Every ```yaml block from this heading to the next `##`/`###` heading must be checked."""
MARKER = re.compile(r"<!-- check: alerts\.yml(?:; channels: (?P<channels>[^>]*?))? -->\s*$")
"""Put before a block that is a whole alerts.yml; `channels:` lists the channels its
monitoring.yml would define (without it channel names are not checked)."""
FENCE = re.compile(r"^```yaml\n(.*?)^```$", re.S | re.M)
CTL = re.compile(r"tcf-hub ctl ([^`\n]*)")


class Example:
    """One yaml block of the README: where it is, its text and how to check it."""

    def __init__(self, line: int, text: str, marker: re.Match[str] | None) -> None:
        self.line = line
        self.text = text
        self.marker = marker

    @property
    def channels(self) -> list[str] | None:
        if self.marker is None or self.marker["channels"] is None:
            return None
        return [name.strip() for name in self.marker["channels"].split(",")]


def examples(text: str) -> list[Example]:
    found = []
    for block in FENCE.finditer(text):
        before = text[: block.start()].rstrip("\n").rsplit("\n", 1)[-1]
        line = text.count("\n", 0, block.start()) + 2
        found.append(Example(line, block[1], MARKER.match(before)))
    return found


def section(text: str) -> str:
    start = text.index(SECTION)
    end = re.compile(r"^#{2,3} ", re.M).search(text, start + len(SECTION))
    return text[start : end.start() if end else len(text)]


def checked(text: str) -> list[Example]:
    """The marked blocks anywhere, and unmarked ones that say they are an alerts.yml."""
    return [e for e in examples(text) if e.marker or e.text.startswith("# alerts.yml\n")]


def check(example: Example) -> None:
    doc = parse_yaml(example.text, f"README.md:{example.line}")
    parse_rules(doc)
    parse_policy(doc, example.channels)


TEXT = README.read_text(encoding="utf-8")


def test_every_yaml_block_of_the_alerts_section_is_marked_for_checking():
    blocks = examples(section(TEXT))
    assert len(blocks) >= 7, "the alerts.yml section lost its examples (or its heading moved)"
    unmarked = [e.text.splitlines()[0] for e in blocks if e.marker is None]
    assert not unmarked, f"mark these with <!-- check: alerts.yml --> : {unmarked}"


@pytest.mark.parametrize("example", checked(TEXT), ids=lambda e: f"README.md:{e.line}")
def test_readme_alerts_example_parses(example):
    check(example)


def test_a_broken_example_is_caught():
    example = checked(TEXT)[0]
    broken = Example(example.line, example.text.replace("threshold:", "treshold:"), None)
    assert broken.text != example.text
    with pytest.raises(ConfigError, match="treshold"):
        check(broken)


def test_channel_names_of_examples_are_checked():
    routed = next(e for e in checked(TEXT) if e.text.startswith("routes:"))
    assert routed.channels
    wrong = Example(
        routed.line, routed.text, MARKER.match("<!-- check: alerts.yml; channels: x -->")
    )
    with pytest.raises(ConfigError, match="unknown channel"):
        check(wrong)


def resolve(words: list[str]) -> tuple[list[str], list[click.Parameter]]:
    """The command path a quoted `tcf-hub ctl ...` names, and the options it and ctl take.

    Raises:
        AssertionError: a lowercase word after a group is not one of its commands.
    """
    path = ["ctl"]
    command = cli.get_command(click.Context(cli), "ctl")
    assert command is not None
    params = list(command.params)
    for word in words:
        if not isinstance(command, click.Group) or not re.fullmatch(r"[a-z][a-z-]*", word):
            break
        assert word in command.commands, f"`tcf-hub {' '.join([*path, word])}`: no such command"
        command = command.commands[word]
        path.append(word)
        params += command.params
    return path, params


def ctl_mentions(text: str) -> list[str]:
    """Every `tcf-hub ctl ...` quoted in ``text``, without shell comments."""
    quoted = {m[1].split(" #")[0].strip() for m in CTL.finditer(text)}
    return sorted(q for q in quoted if q.strip(" …"))


@pytest.mark.parametrize("mention", ctl_mentions(TEXT))
def test_readme_ctl_command_exists_with_its_options(mention):
    words = shlex.split(mention.replace("[", " ").replace("]", " "), posix=False)
    path, params = resolve(words)
    assert len(path) > 1, f"`tcf-hub ctl {mention}` names no command"
    known = {opt for p in params for opt in p.opts}
    options = {w.split("=")[0] for w in words if w.startswith("--")}
    assert options <= known, f"`tcf-hub ctl {mention}`: unknown {sorted(options - known)}"
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output


def test_the_silence_commands_are_documented():
    mentions = " ".join(ctl_mentions(TEXT))
    for command in ("alerts silence", "silences list", "silences expire"):
        assert command in mentions
