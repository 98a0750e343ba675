"""The actors area of the workbench."""
