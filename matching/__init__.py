"""Biometric-free record linkage for the DDR register.

Normalisation of Arabic-script and Latin names, name comparison, blocking, comparison vectors,
scoring, clustering and explanations. Pure: takes records and settings, returns results, and
imports nothing else of the project (the synthetic training data lives in :mod:`synthetic`).
"""

from matching.batch import (
    DedupeResult,
    RecordFileError,
    dedupe,
    read_records_csv,
    write_clusters_csv,
    write_pairs_csv,
)
from matching.blocking import blocking_keys
from matching.cluster import cluster
from matching.explain import EXPLANATION_MESSAGES, FieldContribution
from matching.model import MatchModel, load_model, model_from_json
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
from matching.training import TrainReport, train_model

__all__ = [
    "DEFAULT_SETTINGS",
    "DedupeResult",
    "EXPLANATION_MESSAGES",
    "RECORD_COLUMNS",
    "FieldContribution",
    "MatchModel",
    "MatchSettings",
    "Record",
    "RecordFileError",
    "ScoredPair",
    "TrainReport",
    "blocking_keys",
    "blocking_name_key",
    "cluster",
    "compare_names",
    "compare_words",
    "dedupe",
    "detect_script",
    "fold_digits",
    "load_model",
    "model_from_json",
    "name_key",
    "name_keys",
    "normalise_arabic",
    "normalise_date",
    "normalise_latin",
    "normalise_name",
    "normalise_national_id",
    "normalise_passport",
    "normalise_phone",
    "read_records_csv",
    "score_candidates",
    "train_model",
    "transliterate_cyrillic",
    "write_clusters_csv",
    "write_pairs_csv",
]
