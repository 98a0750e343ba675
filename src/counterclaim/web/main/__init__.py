"""The main area of the workbench."""
