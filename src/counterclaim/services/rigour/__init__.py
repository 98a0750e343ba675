"""Rigour across claims and actors: independent corroboration and claimants' track records.

Kept apart from claims/ because both read the whole database (views of migration 0012), and
apart from reports/ because the corroboration pages use them without a report.
"""
