"""DDR Registry: platform and delivery (settings, database, crypto, auth, audit, registry, API,
web UI, CLI)."""
