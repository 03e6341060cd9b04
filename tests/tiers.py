"""The test tiers. ``make test`` runs every test; ``make test-fast`` sets
PAGEHEAT_TEST_TIER=fast, and the tests that need Chromium or a database server (which a
fresh machine gets only as root, from Debian's packages) skip with the reason while
everything else runs, in a few minutes and without root."""

from __future__ import annotations

import os

import pytest

FAST = os.environ.get("PAGEHEAT_TEST_TIER") == "fast"


def needs(what: str) -> None:
    """Skip in the fast tier: the test needs ``what``, which ``make test`` installs."""
    if FAST:
        pytest.skip(f"needs {what}; `make test` runs it")
