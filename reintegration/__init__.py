"""Case workflows: a small workflow engine and the reintegration, child-handover and
country-of-origin return pathways (filled in by later issues)."""
