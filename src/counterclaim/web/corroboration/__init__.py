"""Corroboration, track records and changes since a report, in the workbench."""
