"""Which page of a long list to show: `?page=` read safely for `db.paginate`."""

from __future__ import annotations

from flask import request

MAX_PAGE = 100_000
"""Beyond any real page; bigger numbers would overflow the database's OFFSET."""


def page_number() -> int:
    """The `?page=` asked for: a whole number from 1 (anything else is the first page)."""
    page = request.args.get("page", type=int) or 1
    return min(max(page, 1), MAX_PAGE)
