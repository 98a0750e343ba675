"""Where the non-Python parts of Counterclaim live, in a checkout and in an installed wheel."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent


def resource_dir(name: str) -> Path:
    """Return the folder `name` (templates, migrations, seeds), shipped or checked out."""
    shipped = _PACKAGE / name
    return shipped if shipped.is_dir() else _CHECKOUT / name
