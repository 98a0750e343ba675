"""The links area of the workbench."""
