"""Bulk import of registrations from files brought in from the field: the record CSV,
spreadsheets (XLSX) and KoBoToolbox / ODK Central exports, with a row-level report.

Every row goes through the checks, numbering, encryption and audit of any registration
(:func:`app.registry.service.prepare`, :func:`~app.registry.service.insert` and
:func:`~app.registry.service.number`), a batch at a time, with the duplicate check in bulk
(:mod:`app.dedup.bulk`).
"""
