"""Weapons and ammunition custody: transfers, destruction, stock counts, tracing, reconciliation."""
