"""The claims area of the workbench."""
