"""The audit trail in the workbench: recent changes, a record's history, restoring."""
