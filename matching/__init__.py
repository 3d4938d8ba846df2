"""Biometric-free record linkage for the DDR register.

Normalisation of Arabic-script and Latin names, name comparison, blocking, comparison vectors,
scoring, clustering and explanations. Pure: takes records and settings, returns results, and
never imports the application.
"""
