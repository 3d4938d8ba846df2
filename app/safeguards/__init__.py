"""Safeguards of the register as a whole: key rotation, backups, retention and the rights of
the people it holds (subject access, corrections)."""
