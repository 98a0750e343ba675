"""The import page: upload a file, see what a dry run would create, then import it."""
