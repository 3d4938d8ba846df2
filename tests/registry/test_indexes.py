"""The blind indexes a registration stores and looks up."""

from __future__ import annotations

from app.core.crypto import FieldCrypto
from app.registry.indexes import UNSTORED_BLOCKS, block_digests, block_keys, registration_indexes
from matching import blocking_keys

KEY_A = b"a" * 32
KEY_B = b"b" * 32
VALUES = {"given_name": "محمد", "father_name": "علي", "grandfather_name": "سالم",
          "family_name": "الورفلي", "date_of_birth": "1988-03-02", "phone": "+218912345678",
          "national_id": "119880302123", "passport_no": None, "alias": "Abu Ali",
          "name_other_script": "Mohamed Ali Elwarfalli"}


def test_the_registry_keeps_the_engines_keys_but_the_unstored_kinds() -> None:
    engine = blocking_keys(VALUES)
    kept = block_keys(VALUES)
    assert {k.partition(":")[0] for k in engine} & UNSTORED_BLOCKS  # the example has them
    assert kept == [k for k in engine if k.partition(":")[0] not in UNSTORED_BLOCKS]
    assert {"nid", "ph", "phy", "n3"} <= {k.partition(":")[0] for k in kept}


def test_stored_block_indexes_are_the_primary_keys_and_lookups_every_active_version() -> None:
    rotated = FieldCrypto(master=KEY_B, previous=[KEY_A])
    entries, lookups = registration_indexes(rotated, VALUES)
    stored = sorted(d for kind, d in entries if kind == "block")
    assert stored == sorted(rotated.blind_index("block", k) for k in block_keys(VALUES))
    assert lookups == block_digests(rotated, VALUES)
    old = {FieldCrypto(master=KEY_A).blind_index("block", k) for k in block_keys(VALUES)}
    assert set(lookups) == set(stored) | old
    assert len(lookups) == 2 * len(stored)


def test_blind_indexes_are_those_stored_before() -> None:
    """Digests computed by the earlier code (a fresh HMAC per value): stored indexes stay
    valid."""
    crypto = FieldCrypto(master=KEY_A)
    for kind, value, digest in (("block", "n3:MHMD|AL|WRFL", "2f1fb13b8fcf15a4eb7ecc557c3f8a8f"),
                                ("name", "MHMD", "80180bb9beded6d1b28737b31e874d81"),
                                ("block", "x", "8aa8f82a99c1abcf7df8dd6a262c7069")):
        assert crypto.blind_index(kind, value) == digest
        assert crypto.blind_index(kind, value) == digest  # the kept keyed HMAC is unchanged
