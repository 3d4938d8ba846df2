"""Statistics for the committee and controlled individual-level exports: aggregates counted by
the database (`aggregates`), tables with their margins as shared cells (`tables`, `catalogue`),
primary and secondary suppression with a linear-programming audit (`disclosure`), the
statistics served and refreshed (`service`), CSV with HXL, XLSX and JSON files (`writers`), and
individual records leaving only with every safeguard (`individual`)."""
