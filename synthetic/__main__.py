"""``python -m synthetic N_PERSONS OUT.csv [TRUTH.csv] [--seed S]``: write synthetic records."""

from synthetic.generate import main

raise SystemExit(main())
