"""Duplicate detection inside the registry: online candidates, recorded pairs, batch runs."""
