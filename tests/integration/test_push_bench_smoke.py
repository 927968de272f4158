"""The fault → push benchmark still runs (1 s probes; its figure comes from `make bench`)."""

from tests.bench.push import fault_to_push


def test_push_benchmark_measures_a_fault_reaching_the_push_service(tmp_path):
    seconds = fault_to_push(tmp_path / "hub", interval=1)
    assert 0 < seconds < 10
