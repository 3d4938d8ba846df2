"""Biometric-free record linkage for the DDR register.

Normalisation of Arabic-script and Latin names, name comparison, blocking, comparison vectors,
scoring, clustering and explanations. Pure: takes records and settings, returns results, and
never imports the application.
"""

from matching.blocking import blocking_keys
from matching.cluster import cluster
from matching.explain import EXPLANATION_MESSAGES, FieldContribution
from matching.model import MatchModel, load_model
from matching.names import compare_names, compare_words
from matching.normalise import (
    detect_script,
    fold_digits,
    normalise_arabic,
    normalise_date,
    normalise_latin,
    normalise_name,
    normalise_national_id,
    normalise_passport,
    normalise_phone,
    transliterate_cyrillic,
)
from matching.phonetic import blocking_name_key, name_key, name_keys
from matching.records import RECORD_COLUMNS, Record
from matching.scoring import (
    DEFAULT_SETTINGS,
    MatchSettings,
    ScoredPair,
    score_candidates,
)

__all__ = [
    "DEFAULT_SETTINGS",
    "EXPLANATION_MESSAGES",
    "RECORD_COLUMNS",
    "FieldContribution",
    "MatchModel",
    "MatchSettings",
    "Record",
    "ScoredPair",
    "blocking_keys",
    "blocking_name_key",
    "cluster",
    "compare_names",
    "compare_words",
    "detect_script",
    "fold_digits",
    "load_model",
    "name_key",
    "name_keys",
    "normalise_arabic",
    "normalise_date",
    "normalise_latin",
    "normalise_name",
    "normalise_national_id",
    "normalise_passport",
    "normalise_phone",
    "score_candidates",
    "transliterate_cyrillic",
]
