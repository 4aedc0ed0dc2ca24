"""What several test modules share: the booking tests' fixed moments and the browser's path.

Tests import these from here, never from conftest.py (pytest advises against it)."""

from __future__ import annotations

from datetime import date, datetime

MONDAY = date(2027, 1, 4)
"""A Monday after the `now` of booking tests."""
NOW = datetime(2027, 1, 1, 8, 0)
"""The `now` of booking tests: the Friday before MONDAY."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
