"""Reading a certificate's expiry from its DER encoding."""

import ssl
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.collectors.tlscert import not_after

FIXTURES = Path(__file__).parents[2] / "fixtures" / "tls"


def der(name: str) -> bytes:
    return ssl.PEM_cert_to_DER_cert((FIXTURES / name).read_text())


@pytest.mark.parametrize(
    ("name", "expires"),
    [
        # openssl x509 -noout -enddate: notAfter=Dec 26 20:30:22 2026 GMT (a UTCTime)
        ("utctime.pem", datetime(2026, 12, 26, 20, 30, 22, tzinfo=UTC)),
        # notAfter=Oct  4 20:30:25 2059 GMT: past 2049, so a GeneralizedTime (RFC 5280)
        ("generalized.pem", datetime(2059, 10, 4, 20, 30, 25, tzinfo=UTC)),
    ],
)
def test_not_after_reads_both_asn1_time_forms(name, expires):
    assert not_after(der(name)) == expires


@pytest.mark.parametrize("data", [b"", b"\x30\x03\x02\x01", b"not a certificate at all"])
def test_not_after_rejects_what_is_not_a_certificate(data):
    with pytest.raises(ValueError, match=r"certificate|time"):
        not_after(data)


def test_not_after_rejects_a_truncated_certificate():
    with pytest.raises(ValueError, match="certificate"):
        not_after(der("generalized.pem")[:200])
