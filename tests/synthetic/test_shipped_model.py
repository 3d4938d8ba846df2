"""The shipped match model: rebuilt from synthetic registrations, deterministically."""

from __future__ import annotations

import numpy as np

from synthetic.training import build_shipped_model


def test_rebuilding_the_model_is_deterministic() -> None:
    first = build_shipped_model(n_persons=1500, seed=3)
    second = build_shipped_model(n_persons=1500, seed=3)
    assert first.version == second.version
    assert np.allclose(first.weights, second.weights)
