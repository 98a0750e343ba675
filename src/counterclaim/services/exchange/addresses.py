"""Web addresses as imports compare them, and actor names as imports match them.

The original address is always what is stored; `url_key` only decides that two addresses
are the same page: scheme and host case, `www.`, a default port, a trailing slash and
`utm_*` tracking parameters do not matter, and `http` is `https`.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def url_key(url: str) -> str:
    """Return the form of `url` that addresses of the same page share."""
    url = url.strip()
    if not url:
        return ""
    if "://" not in url:
        url = "https://" + url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().removeprefix("www.")
    if port and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith("utm_")
        ]  # fmt: skip
    )
    path = parts.path.rstrip("/")
    scheme = "https" if scheme in _DEFAULT_PORTS else scheme
    return urlunsplit((scheme, host, path, query, ""))


def name_key(name: str) -> str:
    """Return an actor's name as imports compare it: case-folded, spacing collapsed."""
    return " ".join(name.split()).casefold()
