"""Users, roles, the sites each may act for, and bearer tokens."""
