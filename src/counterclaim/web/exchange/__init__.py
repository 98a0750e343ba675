"""The import page: upload a file, see what a dry run would create, then import it."""

from . import aliases, routes  # noqa: F401 - their views join the blueprint
from .blueprint import bp  # noqa: F401
