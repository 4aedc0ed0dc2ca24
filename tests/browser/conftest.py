"""What the browser tests share: the two screen widths every page is tried at."""

from __future__ import annotations

import pytest

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}


@pytest.fixture(params=list(WIDTHS))
def screen(request, page):
    """The page at desktop (1280 px) or phone (375 px) width."""
    page.set_viewport_size(WIDTHS[request.param])
    return page
