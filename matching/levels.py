"""Comparison levels: turn field similarities into the discrete levels the model weighs.

Levels are Fellegi–Sunter style agreement levels per field, with two context levels for
relatives: ``given_name = different_relative`` (given names differ while father and family or
grandfather agree: brothers, twins, cousins) and ``father_name = generation_shift`` (one
record's father's name is the other's given name: father and son).
"""

from __future__ import annotations

import numpy as np

from matching.features import DOB_LEVELS, ID_LEVELS, Comparisons, fill_nan

__all__ = ["FIELD_LEVELS", "NAME_LEVELS", "Levels", "comparison_levels", "feature_names"]

Levels = dict[str, np.ndarray]
"""Output of :func:`comparison_levels`: one array of level indices per field."""

NAME_LEVELS = ("missing", "exact", "high", "similar", "weak", "different")
_NAME_FIELDS = {
    "given": "given_name", "father": "father_name", "grandfather": "grandfather_name",
    "family": "family_name", "full": "full_name", "mother": "mother_name", "alias": "alias",
    "pob": "place_of_birth",
}
FIELD_LEVELS: dict[str, tuple[str, ...]] = {
    "given_name": (*NAME_LEVELS, "different_relative", "different_twin", "different_sibling"),
    "father_name": (*NAME_LEVELS, "generation_shift"),
    "grandfather_name": NAME_LEVELS,
    "family_name": NAME_LEVELS,
    "full_name": NAME_LEVELS,
    "mother_name": NAME_LEVELS,
    "alias": NAME_LEVELS,
    "place_of_birth": NAME_LEVELS,
    "date_of_birth": DOB_LEVELS,
    "phone": ID_LEVELS,
    "national_id": ID_LEVELS,
    "passport_no": ID_LEVELS,
    "sex": ("missing", "same", "different"),
    "nationality": ("missing", "same", "different"),
}
RARITY_FEATURES = ("given_name:rarity", "family_name:rarity", "father_name:rarity")
DISTINCT_FEATURES = ("given_name:distinct", "father_name:distinct")
UNLIKE_GIVEN = 0.5
"""Given-name similarity under which two given names are unlike: not one name misspelled or
written in the other script, but two names."""
_ONE_YEAR = DOB_LEVELS.index("one_year")
_NAME_CUTS = np.array([0.7, 0.85, 0.92, 0.98], dtype=np.float32)


def feature_names() -> list[str]:
    """Return the model's feature names: ``field=level`` indicators, then rarity terms."""
    names = [f"{field}={level}" for field, levels in FIELD_LEVELS.items() for level in levels]
    return names + list(RARITY_FEATURES) + list(DISTINCT_FEATURES)


def _name_level(similarity: np.ndarray) -> np.ndarray:
    # digitize gives 0 (<0.7) .. 4 (>=0.98); map to NAME_LEVELS indices.
    bins = np.digitize(fill_nan(similarity, -1.0), _NAME_CUTS)
    level = np.array([5, 4, 3, 2, 1], dtype=np.int8)[bins]
    level[np.isnan(similarity)] = 0
    return level


def comparison_levels(comparisons: Comparisons) -> Levels:
    """Return one level index per field (keys are record columns) for each pair.

    Args:
        comparisons: Output of :func:`matching.features.compare_pairs`.

    Returns:
        int8 arrays of indices into :data:`FIELD_LEVELS` of each field, and
        three arrays the model does not weigh: ``crossed_name`` (a :data:`NAME_LEVELS` index
        of the given name against the other record's family name), ``shared_identifier``
        (1 when a whole identifier agrees; see :func:`matching.features.compare_pairs`) and
        ``unlike_relatives`` (1 when the given names are unlike, under :data:`UNLIKE_GIVEN`,
        the father's and the family or grandfather's names agree and the births are not
        known to be the same day).
    """
    out: dict[str, np.ndarray] = {}
    for source, field in _NAME_FIELDS.items():
        out[field] = _name_level(comparisons[source].astype(np.float32, copy=False))
    given = comparisons["given"]
    father = fill_nan(comparisons["father"])
    family = fill_nan(comparisons["family"])
    grandfather = fill_nan(comparisons["grandfather"])
    relatives = (fill_nan(given, 1.0) < 0.85) & (father >= 0.92) & (
        (family >= 0.92) | (grandfather >= 0.92)
    )
    dob = comparisons["dob"]
    same_birth = (dob == 1) | (dob == 2)
    # Births apart: two or more years, or a year with both days and months known and not
    # one year's typo (DOB_LEVELS "one_year" with full dates).
    apart = (comparisons["year_gap"] >= 2) | (
        (dob == _ONE_YEAR) & (comparisons["full_dates"] == 1))
    given_level = np.select(
        [relatives & same_birth, relatives & apart, relatives], [7, 8, 6], out["given_name"]
    )
    out["given_name"] = given_level.astype(np.int8)
    shift = (comparisons["shift"] >= 0.9) & (father < 0.85)
    out["father_name"] = np.where(shift, 6, out["father_name"]).astype(np.int8)
    # Not weighed by the model: the decision policy reads it (matching.scoring).
    out["crossed_name"] = _name_level(comparisons["crossed"].astype(np.float32, copy=False))
    out["shared_identifier"] = comparisons["identifier"].astype(np.int8)
    # Given names unlike (not a spelling of one name), the rest of the nasab shared and births
    # not known to be the same day: what brothers look like (the decision policy reads it).
    out["unlike_relatives"] = (
        relatives & (fill_nan(given, 1.0) < UNLIKE_GIVEN) & ~same_birth).astype(np.int8)
    out["date_of_birth"] = comparisons["dob"].astype(np.int8)
    for field, source in (("phone", "phone"), ("national_id", "nid"), ("passport_no", "passport")):
        out[field] = comparisons[source].astype(np.int8)
    for field in ("sex", "nationality"):
        value = comparisons[field]
        out[field] = np.select([value < 0, value == 1], [0, 1], default=2).astype(np.int8)
    return out


def design_matrix(levels: Levels, rarity: np.ndarray, distinct: np.ndarray) -> np.ndarray:
    """Build the model's design matrix from levels and the rarity columns.

    Args:
        levels: Output of :func:`comparison_levels`.
        rarity: Array ``(n, 3)``: rarity in [0, 1] of the agreeing given, family and
            father's name (0 when they do not agree).
        distinct: Array ``(n, 2)``: 1 where the given (father's) names are two different
            common names.

    Returns:
        A float32 array with one column per :func:`feature_names` entry.
    """
    blocks: list[np.ndarray] = []
    n = len(rarity)
    for field, field_levels in FIELD_LEVELS.items():
        onehot = np.zeros((n, len(field_levels)), dtype=np.float32)
        onehot[np.arange(n), levels[field]] = 1.0
        # A missing value is no evidence either way (as in Fellegi–Sunter): its column stays 0.
        onehot[:, field_levels.index("missing")] = 0.0
        blocks.append(onehot)
    blocks.append(rarity.astype(np.float32).reshape(n, len(RARITY_FEATURES)))
    blocks.append(distinct.astype(np.float32).reshape(n, len(DISTINCT_FEATURES)))
    return np.hstack(blocks)
