"""Fixtures of the export tests: the staff of the returns tests."""

from tests.reintegration.returns.conftest import people

__all__ = ["people"]
