"""The registration domain: sites, armed groups, registrations, persons, weapons, dependants."""
