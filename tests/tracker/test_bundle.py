"""The built tracker stays within its size budget and needs nothing a strict CSP forbids."""

import gzip

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
