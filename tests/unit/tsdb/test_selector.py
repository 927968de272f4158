"""Series selectors with Prometheus matcher semantics."""

import pytest

from hub.tsdb.selector import Matcher, MatchOp, SelectorError, parse_selector


def test_bare_metric_name():
    selector = parse_selector("cpu_usage")
    assert selector.metric == "cpu_usage"
    assert selector.matches("cpu_usage", {"host": "a"})
    assert not selector.matches("memory_usage", {"host": "a"})


def test_all_four_matchers_and_whitespace():
    selector = parse_selector(
        ' disk_usage { host = "a", mount =~ "/data.*" , fs !~ "tmp|overlay", dev != "loop0" } '
    )
    assert selector.matchers[1:] == (
        Matcher("host", MatchOp.EQ, "a"),
        Matcher("mount", MatchOp.RE, "/data.*"),
        Matcher("fs", MatchOp.NRE, "tmp|overlay"),
        Matcher("dev", MatchOp.NE, "loop0"),
    )
    assert selector.matches("disk_usage", {"host": "a", "mount": "/data/x", "dev": "sda"})
    assert not selector.matches("disk_usage", {"host": "a", "mount": "/", "dev": "sda"})
    assert not selector.matches("disk_usage", {"host": "a", "mount": "/data", "fs": "overlay"})
    assert selector.matches(
        "disk_usage", {"host": "a", "mount": "/data", "fs": "tmpfs"}
    )  # anchored
    assert not selector.matches("disk_usage", {"host": "a", "mount": "/data", "dev": "loop0"})


def test_regexes_are_fully_anchored():
    selector = parse_selector('m{mount=~"/data"}')
    assert selector.matches("m", {"mount": "/data"})
    assert not selector.matches("m", {"mount": "/data/x"})
    assert not selector.matches("m", {"mount": "x/data"})


def test_missing_label_equals_empty_string():
    assert parse_selector('m{service=""}').matches("m", {"host": "a"})
    assert not parse_selector('m{service!=""}').matches("m", {"host": "a"})


def test_name_can_be_matched_as_a_label_and_escapes_work():
    selector = parse_selector(r'{__name__=~"cpu_.*", msg="say \"hi\"\n"}')
    assert selector.metric is None
    assert selector.matches("cpu_usage", {"msg": 'say "hi"\n'})
    assert not selector.matches("memory_usage", {"msg": 'say "hi"\n'})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "every series"),
        ('{host=~".*"}', "every series"),
        ("cpu{", "missing '}'"),
        ('cpu{host="a" mount="b"}', "expected ',' or '}'"),
        ("cpu{host}", "expected =, !="),
        ("cpu{host=a}", "quoted"),
        ('cpu{9x="a"}', "label name"),
        ('cpu{x=~"("}', "bad regex"),
        ("cpu extra", "unexpected"),
        ('cpu{host="a"} x', "unexpected"),
    ],
)
def test_bad_selectors_say_what_and_where(text, message):
    with pytest.raises(SelectorError, match=message.replace("(", r"\(")):
        parse_selector(text)
