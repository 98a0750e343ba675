"""The evidence area of the workbench."""
