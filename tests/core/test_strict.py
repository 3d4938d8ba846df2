"""Strict request bodies: hidden characters and loose booleans refused in every body model."""

from __future__ import annotations

import typing

import pytest
from pydantic import BaseModel, ValidationError

from app.core.strict import Strict, hidden_character_at
from app.main import create_app  # noqa: F401  (imports every route, so every body model)

REFUSED = [
    ("nul", "محمد\x00"),
    ("bell", "Ali\x07"),
    ("escape", "Ali\x1b[31m"),
    ("right-to-left override", "\u202eilA"),
    ("left-to-right embedding", "Ali\u202a"),
    ("first strong isolate", "\u2068Ali"),
    ("right-to-left mark", "Ali\u200f"),
    ("zero-width space", "Ali\u200bAli"),
    ("byte order mark", "\ufeffAli"),
    ("joiner in a Latin word", "Al\u200di"),
    ("joiner at the end of an Arabic word", "محمد\u200d"),
    ("joiner between Arabic and space", "محمد\u200c علي"),
    ("private use", "Ali\ue000"),
    ("c1 control", "Ali\x85"),
]
ALLOWED = [
    ("arabic", "عبد السلام"),
    ("latin", "Mohamed Abdelsalam"),
    ("non-joiner inside an Arabic word", "می\u200cخواهم"),
    ("joiner inside an Arabic word", "ع\u200dلي"),
    ("line breaks and tabs in notes", "first line\nsecond\tline\r\n"),
    ("digits and punctuation", "+218 91-234 5678 (home)"),
]


@pytest.mark.parametrize(("label", "text"), REFUSED, ids=[r[0] for r in REFUSED])
def test_hidden_characters_are_found(label: str, text: str) -> None:
    assert hidden_character_at(text) is not None


@pytest.mark.parametrize(("label", "text"), ALLOWED, ids=[a[0] for a in ALLOWED])
def test_ordinary_text_is_allowed(label: str, text: str) -> None:
    assert hidden_character_at(text) is None


def _request_models() -> list[type[Strict]]:
    found: list[type[Strict]] = []
    pending: list[type[Strict]] = [Strict]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            found.append(sub)
            pending.append(sub)
    return found


def _is_bool(annotation: object) -> bool:
    if annotation is bool:
        return True
    return any(_is_bool(a) for a in typing.get_args(annotation))


def test_every_body_model_is_strict() -> None:
    models = _request_models()
    names = {m.__name__ for m in models}
    # the body models of every domain derive from Strict
    assert {"RegistrationIn", "CorrectionIn", "SearchIn", "UserIn", "UserPatch", "SiteIn",
            "DecisionIn", "TransferIn", "QueueFilters", "StepIn", "AssignIn", "NoteIn",
            "PaymentIn", "ReferralIn", "IndividualExportIn", "ThresholdIn",
            "MovementIn"} <= names


BOOL_FIELDS = [(m, name) for m in _request_models() for name, f in m.model_fields.items()
               if _is_bool(f.annotation)]


@pytest.mark.parametrize(("model", "field"), BOOL_FIELDS,
                         ids=[f"{m.__name__}.{f}" for m, f in BOOL_FIELDS])
@pytest.mark.parametrize("loose", ["yes", "true", 1, "1", "on"])
def test_booleans_take_only_true_or_false(model: type[BaseModel], field: str,
                                          loose: object) -> None:
    with pytest.raises(ValidationError) as caught:
        model.model_validate({field: loose})
    assert any(e["loc"] == (field,) and e["type"] == "bool_type"
               for e in caught.value.errors())


def test_there_are_boolean_fields_to_check() -> None:
    assert ("RegistrationIn", "consent") in {(m.__name__, f) for m, f in BOOL_FIELDS}


def test_hidden_characters_are_refused_however_nested() -> None:
    from app.registry.schemas import CorrectionIn, RegistrationIn

    with pytest.raises(ValidationError) as caught:
        CorrectionIn.model_validate({"changes": {"given_name": "\u202eilA"}, "reason": "typo"})
    assert caught.value.errors()[0]["type"] == "text_characters"
    with pytest.raises(ValidationError) as caught:
        RegistrationIn.model_validate({"languages": ["ar", "e\x00n"]})
    assert any(e["loc"] == ("languages",) and e["type"] == "text_characters"
               for e in caught.value.errors())
