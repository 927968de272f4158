"""Stored samples as valid Prometheus text, whatever their names and labels."""

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from hub.api.exposition import label_name, metric_name, sample_families
from hub.domain.samples import Sample


class _Families:
    def __init__(self, families):
        self._families = families

    def collect(self):
        return iter(self._families)


def exposed(samples, reserved=()):
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Families(sample_families(samples, reserved)))
    text = generate_latest(registry).decode()
    return text, list(text_string_to_metric_families(text))


@pytest.mark.parametrize(
    ("raw", "metric", "label"),
    [
        ("http_requests_rate", "http_requests_rate", "http_requests_rate"),
        ("a:b", "a:b", "a_b"),
        ("req.latency-ms", "req_latency_ms", "req_latency_ms"),
        ("9lives", "_9lives", "_9lives"),
        ("", "_", "_"),
        ("température", "temp_rature", "temp_rature"),
    ],
)
def test_names_are_mapped_onto_the_prometheus_alphabets(raw, metric, label):
    assert metric_name(raw) == metric
    assert label_name(raw) == label


def test_known_metrics_use_their_prometheus_names_and_base_units():
    _, families = exposed(
        [
            Sample("response_time", {"service": "api"}, 250.0, 1.0),
            Sample("tls_cert_days_left", {"service": "api"}, 2.0, 1.0),
            Sample("http_status", {"service": "api"}, 200.0, 1.0),
        ]
    )
    values = {f.name: f.samples[0].value for f in families}
    assert values == {
        "tcf_response_time_seconds": 0.25,
        "tcf_tls_cert_remaining_seconds": 2 * 86400.0,
        "tcf_http_status_code": 200.0,
    }


def test_scraped_and_odd_series_give_one_valid_family_per_name():
    text, families = exposed(
        [
            Sample("http_requests_rate", {"service": "api", "path": "/x"}, 3.0, 1.0),
            Sample("latency_seconds", {"service": "api", "quantile": "0.5"}, 0.1, 1.0),
            Sample("latency_seconds", {"service": "api", "quantile": "0.9"}, 0.4, 1.0),
            # two stored names that map onto one exposed name: one family, both series
            Sample("queue.depth", {"service": "api"}, 1.0, 1.0),
            Sample("queue_depth", {"service": "web"}, 2.0, 1.0),
            # the same label set twice after mapping: the first value stays
            Sample("queue-depth", {"service": "api"}, 9.0, 1.0),
            # a label name that is not valid, and a label set missing a label
            Sample("odd", {"bad-label": "v", "service": "x"}, 1.0, 1.0),
            Sample("odd", {"service": "y"}, 2.0, 1.0),
            Sample("alerts", {"service": "api"}, 5.0, 1.0),
        ],
        reserved={"tcf_alerts"},
    )
    names = [f.name for f in families]
    assert len(names) == len(set(names)) == text.count("# TYPE ")
    by_name = {
        f.name: {tuple(sorted(s.labels.items())): s.value for s in f.samples} for f in families
    }
    assert by_name["tcf_queue_depth"] == {(("service", "api"),): 1.0, (("service", "web"),): 2.0}
    assert by_name["tcf_odd"] == {
        (("bad_label", "v"), ("service", "x")): 1.0,
        (("bad_label", ""), ("service", "y")): 2.0,
    }
    assert by_name["tcf_http_requests_rate"] == {(("path", "/x"), ("service", "api")): 3.0}
    assert len(by_name["tcf_latency_seconds"]) == 2
    assert "tcf_alerts" not in by_name
    assert by_name["tcf_exported_alerts"] == {(("service", "api"),): 5.0}
