"""Debian's Chromium as every browser test launches it: headless, from /usr/bin/chromium (playwright drives it; no
browser download), with the flags that keep it off the network this machine does not have."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def require_chromium() -> None:
    """Skip the calling module where Chromium or playwright is missing (CI installs both and fails on a skip)."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian package 'chromium'; CI installs it)", allow_module_level=True)
    pytest.importorskip(
        "playwright.sync_api",
        reason="the Python package playwright is not installed (pip install playwright; no browser download needed)",
    )
