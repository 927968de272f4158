"""YAML files decoded into msgspec structs with errors that name file, line and field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import yaml

from hub.lib.durations import Seconds, parse_duration
from hub.lib.sizes import Bytes, parse_size

T = TypeVar("T")
PathKey = tuple[str | int, ...]

_MSGSPEC_AT = re.compile(r"^(?P<reason>.*?)(?: - at (?:`key` in )?`\$(?P<path>[^`]*)`)?$", re.S)
_PATH_TOKEN = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")


class ConfigError(Exception):
    """A configuration file that cannot be used, with where and why."""

    def __init__(self, file: str, line: int | None, field: str, reason: str) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.reason = reason
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {field}: {reason}" if field else f"{where}: {reason}")


class YamlDoc:
    """A parsed YAML document and the line on which each of its keys and items stands."""

    def __init__(self, file: str, data: Any, lines: dict[PathKey, int]) -> None:
        self.file = file
        self.data = data
        self._lines = lines

    def line_of(self, path: PathKey) -> int | None:
        """The line of the deepest known node along ``path`` (1-based)."""
        for end in range(len(path), -1, -1):
            line = self._lines.get(path[:end])
            if line is not None:
                return line
        return None

    def error(self, path: PathKey, reason: str) -> ConfigError:
        """A ConfigError pointing at ``path`` in this document."""
        return ConfigError(self.file, self.line_of(path), format_path(path), reason)

    def convert(self, value: Any, type_: type[T], path: PathKey) -> T:
        """Decode ``value`` (found at ``path``) into ``type_``.

        Raises:
            ConfigError: the value does not fit the type; names file, line and field.
        """
        try:
            return msgspec.convert(value, type_, dec_hook=_dec_hook)
        except msgspec.ValidationError as exc:
            match = _MSGSPEC_AT.match(str(exc))
            reason, inner = (match["reason"], match["path"] or "") if match else (str(exc), "")
            full = path + _parse_msgspec_path(inner)
            if "unknown field" in reason:
                name = re.search(r"`([^`]*)`", reason)
                if name:
                    full = (*full, name[1])
                    reason = "unknown field"
            raise self.error(full, reason) from None


def load_yaml(path: Path) -> YamlDoc:
    """Parse ``path``; an empty file is an empty mapping.

    Raises:
        ConfigError: the file cannot be read or is not valid YAML.
    """
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(file, None, "", f"cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(file, None, "", f"not UTF-8 text (byte {exc.start})") from None
    return parse_yaml(text, file)


def parse_yaml(text: str, file: str) -> YamlDoc:
    """Parse YAML ``text``, remembering it came from ``file``."""
    try:
        loader = yaml.SafeLoader(text)  # checks the first characters already
    except yaml.YAMLError as exc:
        raise ConfigError(file, None, "", f"invalid YAML: {exc}") from None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise ConfigError(file, line, "", f"invalid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:  # a character YAML does not allow (reader errors)
        raise ConfigError(file, None, "", f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    lines: dict[PathKey, int] = {}
    if node is not None:
        _collect_lines(node, (), lines)
    return YamlDoc(file, {} if data is None else data, lines)


def format_path(path: PathKey) -> str:
    """``("alerts", "cpu", "threshold")`` -> ``alerts.cpu.threshold``; items as ``[0]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _collect_lines(node: yaml.Node, path: PathKey, lines: dict[PathKey, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            lines[(*path, key)] = key_node.start_mark.line + 1
            if isinstance(value_node, yaml.MappingNode | yaml.SequenceNode):
                _collect_lines(value_node, (*path, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_lines(item, (*path, index), lines)


def _parse_msgspec_path(text: str) -> PathKey:
    parts: list[str | int] = []
    for name, index in _PATH_TOKEN.findall(text):
        if name:
            parts.append(name)
        elif index.isdigit():
            parts.append(int(index))
    return tuple(parts)


def _dec_hook(type_: type, value: Any) -> Any:
    if type_ is Seconds:
        return parse_duration(value)
    if type_ is Bytes:
        return parse_size(value)
    raise NotImplementedError(f"cannot decode {type_!r}")
