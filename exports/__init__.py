"""Aggregate statistics with disclosure control, CSV/HXL, XLSX and JSON writers, and controlled
individual-level exports such as return manifests (filled in by later issues)."""
