"""The sources area of the workbench."""
