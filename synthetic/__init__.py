"""Synthetic DDR registrations with ground truth: demo data, benchmark data and training data.

Not record linkage: :mod:`matching` never imports this package. The generator
(:mod:`synthetic.generate`) is standard library only; :mod:`synthetic.training` builds the
shipped match model from its output.

Write a record CSV and its truth::

    python -m synthetic 1000 records.csv truth.csv --seed 3
"""

from synthetic.generate import (
    RECORD_COLUMNS,
    Person,
    SyntheticConfig,
    armed_groups,
    generate,
    iter_records,
    persons_for_records,
    write_csv,
)

__all__ = [
    "RECORD_COLUMNS",
    "Person",
    "SyntheticConfig",
    "armed_groups",
    "generate",
    "iter_records",
    "persons_for_records",
    "write_csv",
]
