"""Read the page cursor and size from the query string."""

from flask import current_app, request


def page_request() -> tuple[str | None, int]:
    """Return (cursor, size) for a keyset-paginated list; size is kept within bounds."""
    size = request.args.get("per_page", type=int) or current_app.config["PAGE_SIZE"]
    return request.args.get("after") or None, max(10, min(size, 200))


def page_before() -> str | None:
    """Return the cursor of a Previous link: the list walks back from that row."""
    return request.args.get("before") or None
