"""Field encryption: ciphertexts are bound to their place; wrong keys fail loudly."""

import base64
import os
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.core.crypto import (
    CryptoError,
    FieldCrypto,
    WrongMasterKey,
    read_key_file,
    write_key_file,
)
from app.core.settings import ConfigurationError, Settings
from app.main import create_app

KEY_A = b"a" * 32
KEY_B = b"b" * 32


@pytest.fixture
def crypto() -> FieldCrypto:
    return FieldCrypto(master=KEY_A)


def test_round_trip_keeps_arabic_script(crypto: FieldCrypto) -> None:
    blob = crypto.encrypt("عبد السلام", table="registration", column="given_name", row_id="r1")
    assert blob is not None
    assert "عبد السلام".encode() not in blob
    assert crypto.decrypt(blob, table="registration", column="given_name", row_id="r1") == (
        "عبد السلام")


def test_same_value_encrypts_differently_each_time(crypto: FieldCrypto) -> None:
    one = crypto.encrypt("Ali", table="t", column="c", row_id="1")
    two = crypto.encrypt("Ali", table="t", column="c", row_id="1")
    assert one != two


@pytest.mark.parametrize(
    ("table", "column", "row_id"),
    [("registration", "given_name", "r2"), ("registration", "family_name", "r1"),
     ("dependant", "given_name", "r1")],
    ids=["other-row", "other-column", "other-table"],
)
def test_ciphertext_moved_elsewhere_fails(
    crypto: FieldCrypto, table: str, column: str, row_id: str
) -> None:
    blob = crypto.encrypt("Mohamed", table="registration", column="given_name", row_id="r1")
    with pytest.raises(CryptoError):
        crypto.decrypt(blob, table=table, column=column, row_id=row_id)


def test_tampered_ciphertext_fails(crypto: FieldCrypto) -> None:
    blob = bytearray(crypto.encrypt("Mohamed", table="t", column="c", row_id="1") or b"")
    blob[-1] ^= 1
    with pytest.raises(CryptoError):
        crypto.decrypt(bytes(blob), table="t", column="c", row_id="1")


def test_other_key_cannot_decrypt(crypto: FieldCrypto) -> None:
    blob = crypto.encrypt("Mohamed", table="t", column="c", row_id="1")
    with pytest.raises(CryptoError, match="unknown key id"):
        FieldCrypto(master=KEY_B).decrypt(blob, table="t", column="c", row_id="1")


def test_previous_key_still_decrypts_after_rotation(crypto: FieldCrypto) -> None:
    blob = crypto.encrypt("Mohamed", table="t", column="c", row_id="1")
    rotated = FieldCrypto(master=KEY_B, previous=[KEY_A])
    assert rotated.decrypt(blob, table="t", column="c", row_id="1") == "Mohamed"
    assert rotated.needs_rotation(blob)


def test_format_carries_version_and_key_id(crypto: FieldCrypto) -> None:
    blob = crypto.encrypt("x", table="t", column="c", row_id="1") or b""
    assert blob[0] == 1
    assert blob[1:5] == crypto.key_id


def test_blind_indexes_are_deterministic_and_separated_by_kind(crypto: FieldCrypto) -> None:
    assert crypto.blind_index("phone", "+218912345678") == crypto.blind_index(
        "phone", "+218912345678")
    assert crypto.blind_index("phone", "+218912345678") != crypto.blind_index(
        "nid", "+218912345678")
    assert crypto.blind_index("phone", "+218912345678") != FieldCrypto(
        master=KEY_B).blind_index("phone", "+218912345678")
    assert len(crypto.blind_index("nid", "119880123456")) == 32


def test_key_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    key = write_key_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_key_file(path) == key
    os.chmod(path, 0o644)
    with pytest.raises(CryptoError, match="readable by others"):
        read_key_file(path)


def test_wrong_master_key_refuses_to_start(settings: Settings) -> None:
    first = create_app(settings)
    first.state.engine.dispose()
    wrong = settings.model_copy(
        update={"master_key": SecretStr(base64.b64encode(KEY_B).decode())})
    with pytest.raises(WrongMasterKey, match="does not match this database"):
        create_app(wrong)


def test_production_refuses_default_secret(settings: Settings) -> None:
    prod = settings.model_copy(update={"env": "production",
                                       "secret_key": SecretStr("dev-only-change-me")})
    with pytest.raises(ConfigurationError, match="DDR_SECRET_KEY"):
        create_app(prod)


def test_production_refuses_missing_master_key(settings: Settings, tmp_path: Path) -> None:
    prod = settings.model_copy(update={"env": "production", "master_key": None,
                                       "master_key_file": tmp_path / "absent.key"})
    with pytest.raises(ConfigurationError, match="no master key"):
        create_app(prod)


def test_production_refuses_test_password_hashing(settings: Settings) -> None:
    """The suite runs with DDR_PASSWORD_HASHING=cheapest (tests/conftest.py): a production
    service started so must refuse."""
    prod = settings.model_copy(update={"env": "production"})
    with pytest.raises(ConfigurationError, match="DDR_PASSWORD_HASHING=cheapest"):
        create_app(prod)
