"""The tags area of the workbench."""
