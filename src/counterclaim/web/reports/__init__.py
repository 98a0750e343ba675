"""Contradiction reports in the workbench: the scope form, the page, the downloads."""
