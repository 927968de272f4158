"""Line lookup and messages of config errors."""

from hub.lib.yamlconf import ConfigError, format_path, parse_yaml


def test_line_of_finds_the_deepest_known_node():
    doc = parse_yaml("a:\n  b:\n    - x\n    - y: 1\n", "f.yml")
    assert doc.line_of(("a",)) == 1
    assert doc.line_of(("a", "b", 1, "y")) == 4
    assert doc.line_of(("a", "b", 1, "missing")) == 4
    assert doc.line_of(("zzz",)) == 1


def test_error_message_reads_file_line_field_reason():
    assert str(ConfigError("f.yml", 3, "a.b", "bad")) == "f.yml:3: a.b: bad"
    assert str(ConfigError("f.yml", None, "", "cannot read")) == "f.yml: cannot read"


def test_format_path_uses_dots_and_indexes():
    assert format_path(("alerts", "cpu", "notifications", 0)) == "alerts.cpu.notifications[0]"
    assert format_path(()) == ""


def test_empty_document_is_an_empty_mapping():
    assert parse_yaml("", "f.yml").data == {}
    assert parse_yaml("# only a comment\n", "f.yml").data == {}
