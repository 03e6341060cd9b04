"""The built tracker stays within its size budget and needs nothing a strict CSP forbids."""

import gzip

from .conftest import SNAPSHOT_CODE

BUDGET = 6144  # bytes gzipped (DESIGN.md: core script ≤ 6 KB)


def test_bundle_is_within_its_gzipped_budget(bundle):
    js = bundle.read_bytes()
    size = len(gzip.compress(js, compresslevel=9))
    print(f"pageheat.js: {len(js)} bytes, {size} bytes gzipped (budget {BUDGET})")
    assert size <= BUDGET


def test_bundle_needs_no_eval_and_sets_no_styles(bundle):
    js = bundle.read_text()
    for needle in ("eval(", "Function(", ".style", 'setAttribute("style"', "innerHTML"):
        assert needle not in js, needle


def test_snapshot_code_needs_no_eval(bundle):
    # Loaded on demand, so no budget; its size is printed as the build prints it.
    js = SNAPSHOT_CODE.read_bytes()
    size = len(gzip.compress(js, compresslevel=9))
    print(f"pageheat-snapshot.js: {len(js)} bytes, {size} bytes gzipped")
    for needle in (b"eval(", b"Function(", b"innerHTML"):
        assert needle not in js, needle
    assert b"postcss" not in js.lower()  # rrweb-snapshot's rebuild half is cut out
