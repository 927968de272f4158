"""The VAPID key file: made once, 0600, reused, and refused when it holds the wrong key."""

import base64
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from hub.lib.vapid import P256_ORDER, ensure_vapid_keys, new_private_key_pem


def test_keys_are_made_at_first_start_and_reused_after(tmp_path):
    path = tmp_path / "data" / "vapid_private.pem"
    keys, created = ensure_vapid_keys(path)
    assert created
    assert path.stat().st_mode & 0o777 == 0o600
    again, created_again = ensure_vapid_keys(path)
    assert not created_again
    assert again.public_key == keys.public_key
    point = base64.urlsafe_b64decode(keys.public_key + "=")
    assert len(point) == 65
    assert point[0] == 4
    assert "PRIVATE" not in repr(keys)
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")


def test_a_key_file_readable_by_others_is_made_private(tmp_path):
    path = tmp_path / "vapid_private.pem"
    ensure_vapid_keys(path)
    path.chmod(0o644)
    ensure_vapid_keys(path)
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_file_without_a_key_is_refused(tmp_path):
    path = tmp_path / "vapid_private.pem"
    path.write_text("not a key")
    with pytest.raises(ValueError, match="holds no PEM private key"):
        ensure_vapid_keys(path)


@pytest.mark.parametrize(
    "key", [ec.generate_private_key(ec.SECP384R1()), ed25519.Ed25519PrivateKey.generate()]
)
def test_a_key_of_another_kind_is_refused(tmp_path, key):
    path = tmp_path / "vapid_private.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    keys, created = ensure_vapid_keys(path)  # a PEM private key: which one is checked on use
    assert not created
    with pytest.raises(ValueError, match="P-256"):
        _ = keys.public_key


def test_a_pem_file_that_does_not_parse_is_refused_on_use(tmp_path):
    path = tmp_path / "vapid_private.pem"
    path.write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    keys, _ = ensure_vapid_keys(path)
    with pytest.raises(ValueError, match="holds no PEM private key"):
        _ = keys.vapid


def test_an_existing_key_is_not_parsed_at_start(tmp_path):
    """cryptography and py_vapid (7.5 MB) load only when the key is first used."""
    path = tmp_path / "vapid_private.pem"
    ensure_vapid_keys(path)
    code = (
        "import sys; from pathlib import Path; from hub.lib.vapid import ensure_vapid_keys; "
        f"keys, _ = ensure_vapid_keys(Path({str(path)!r})); "
        "loaded = [m for m in ('cryptography', 'py_vapid') if m in sys.modules]; "
        "keys.public_key; "
        "print(loaded, 'cryptography' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] True"


def test_a_new_key_is_a_p256_key_cryptography_reads_and_signs_with(tmp_path):
    path = tmp_path / "vapid_private.pem"
    keys, _ = ensure_vapid_keys(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert key.curve.name == "secp256r1"
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert base64.urlsafe_b64decode(keys.public_key + "=") == point
    claims = {"aud": "https://push.example.com", "sub": "mailto:admin@example.com"}
    assert keys.vapid.sign(claims)["Authorization"].startswith("vapid t=")


def test_new_keys_are_random_and_below_the_curve_order():
    scalars = set()
    for _ in range(20):
        key = serialization.load_pem_private_key(new_private_key_pem(), password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        scalar = key.private_numbers().private_value
        assert 1 <= scalar < P256_ORDER
        scalars.add(scalar)
    assert len(scalars) == 20


def test_a_key_is_made_at_first_start_without_cryptography(tmp_path):
    """A hub's first start writes its key without loading cryptography (6.6 MB)."""
    path = tmp_path / "data" / "vapid_private.pem"
    code = (
        "import sys; from pathlib import Path; from hub.lib.vapid import ensure_vapid_keys; "
        f"_, created = ensure_vapid_keys(Path({str(path)!r})); "
        "print(created, [m for m in ('cryptography', 'py_vapid') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True []"
    assert path.stat().st_mode & 0o777 == 0o600
