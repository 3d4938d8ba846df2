"""Platform core: settings, database, field encryption, security, audit and domain errors."""
